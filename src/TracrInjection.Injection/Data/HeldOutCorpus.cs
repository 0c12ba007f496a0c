using TracrInjection.Injection.Corpus;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Data;

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
