using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Training;

/// <summary>Unsupervised token windows for the KL term (the paper streams FineWeb-Edu; here the held-out corpus slice).</summary>
public interface IKlTextSource
{
    /// <summary>Number of windows.</summary>
    int Count { get; }
    /// <summary>Window <paramref name="index"/>: at most the requested length of token ids (shorter ones are padded by the batcher).</summary>
    int[] Window(int index);
    string Description { get; }
}

/// <summary>Fixed windows held in memory (tests, benchmarks).</summary>
public sealed class InMemoryKlSource(IReadOnlyList<int[]> windows, string description = "in-memory windows") : IKlTextSource
{
    public int Count => windows.Count;
    public int[] Window(int index) => windows[index];
    public string Description => description;
}

/// <summary>
/// The held-out slice of the project's English corpus (<c>data/corpus/heldout.txt</c>), tokenized with the task
/// tokenizer as the paper does. Its documents are divided deterministically: even-numbered documents feed the KL
/// term, odd-numbered ones are kept for the perplexity evaluation, so the perplexity is measured on text the KL
/// never saw. Each KL document gives its first window (the paper) or all its windows.
/// </summary>
public sealed class HeldOutCorpus
{
    public string Path { get; }
    public IReadOnlyList<string> KlDocuments { get; }
    public IReadOnlyList<string> EvaluationDocuments { get; }

    private HeldOutCorpus(string path, IReadOnlyList<string> docs)
    {
        Path = path;
        KlDocuments = docs.Where((_, i) => i % 2 == 0).ToList();
        EvaluationDocuments = docs.Where((_, i) => i % 2 == 1).ToList();
    }

    /// <summary>Reads heldout.txt of <paramref name="corpusDirectory"/> (default: the repository's data/corpus).</summary>
    public static HeldOutCorpus Load(string? corpusDirectory = null)
    {
        string dir;
        try
        {
            dir = corpusDirectory ?? CorpusFiles.DefaultDirectory();
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new FileNotFoundException($"no held-out corpus: {ex.Message} Pass a corpus folder (with {CorpusFiles.HeldOutFileName}).");
        }
        string path = System.IO.Path.Combine(dir, CorpusFiles.HeldOutFileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"the held-out corpus '{path}' is missing: build it with 'corpus' (scripts/setup.sh does) or pass a corpus folder", path);
        var docs = CorpusFiles.ReadDocuments(path);
        if (docs.Count < 2) throw new InvalidDataException($"'{path}' holds {docs.Count} document(s); the KL term and the perplexity need at least 2");
        return new HeldOutCorpus(System.IO.Path.GetFullPath(path), docs);
    }

    /// <summary>KL windows of <paramref name="length"/> tokens from the KL documents.</summary>
    public IKlTextSource KlSource(Gpt2Tokenizer tokenizer, int length, bool allWindows)
    {
        var windows = new List<int[]>();
        foreach (var doc in KlDocuments)
        {
            var ids = tokenizer.Encode(doc);
            if (ids.Length == 0) continue;
            if (!allWindows) windows.Add(ids.Length > length ? ids[..length] : ids);
            else for (int s = 0; s < ids.Length; s += length) windows.Add(ids[s..Math.Min(ids.Length, s + length)]);
        }
        return new InMemoryKlSource(windows, $"{Path}: {KlDocuments.Count} even-numbered documents, {(allWindows ? "all" : "first")} {length}-token windows ({windows.Count})");
    }
}

/// <summary>
/// KL batches: window order shuffled per epoch from the seed, so batch k is a pure function of k (a resumed run sees
/// the same text). Windows are right-padded with EOS to the fixed length and no attention mask is used (the paper).
/// </summary>
public sealed class KlBatcher(IKlTextSource source, int batchSize, int length, int padId, long seed)
{
    private readonly Dictionary<long, int[]> _orders = new();

    public long[] Batch(long step)
    {
        if (source.Count == 0) throw new InvalidOperationException("the KL text source is empty");
        var ids = new long[batchSize * length];
        for (int b = 0; b < batchSize; b++)
        {
            long j = step * batchSize + b;
            long epoch = j / source.Count;
            int index = Order(epoch)[j % source.Count];
            var w = source.Window(index);
            for (int t = 0; t < length; t++) ids[b * length + t] = t < w.Length ? w[t] : padId;
        }
        return ids;
    }

    private int[] Order(long epoch)
    {
        if (_orders.TryGetValue(epoch, out var o)) return o;
        if (_orders.Count > 2) _orders.Clear();
        return _orders[epoch] = Seeds.Permutation(source.Count, Seeds.Rng(seed, "kl/order", epoch));
    }
}

/// <summary>Supervised batches: the training split visited in a per-epoch order drawn from the seed (pure function of the step).</summary>
public sealed class TrainBatcher(TaskSplit train, int batchSize, long seed)
{
    private readonly Dictionary<long, int[]> _orders = new();

    public IReadOnlyList<TaskExample> Batch(long step)
    {
        var items = new TaskExample[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            long j = step * batchSize + b;
            long epoch = j / train.Count;
            items[b] = train[Order(epoch)[j % train.Count]];
        }
        return items;
    }

    private int[] Order(long epoch)
    {
        if (_orders.TryGetValue(epoch, out var o)) return o;
        if (_orders.Count > 2) _orders.Clear();
        return _orders[epoch] = Seeds.Permutation(train.Count, Seeds.Rng(seed, "train/order", epoch));
    }
}
