using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TracrInjection.Injection.Corpus;
using TracrInjection.Models;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Pretraining;

/// <summary>
/// Token streams for pretraining: each document is preceded by &lt;|endoftext|&gt; (GPT-2's
/// document separator) and all documents are concatenated. <see cref="TrainSha256"/> and
/// <see cref="HeldOutSha256"/> identify the texts the streams were built from.
/// </summary>
public sealed class PretrainingData
{
    public required int[] TrainTokens { get; init; }
    public required int[] HeldOutTokens { get; init; }
    public required string TrainSha256 { get; init; }
    public required string HeldOutSha256 { get; init; }
    /// <summary>Where the texts came from (a corpus folder), for the record; null for in-memory data.</summary>
    public string? Source { get; init; }

    /// <summary>Concatenates &lt;|endoftext|&gt; + tokens of each document.</summary>
    public static int[] TokenStream(IReadOnlyList<string> documents, Gpt2Tokenizer tokenizer)
    {
        if (tokenizer.EndOfTextId < 0) throw new ArgumentException("The tokenizer has no <|endoftext|> token.", nameof(tokenizer));
        var parts = new int[documents.Count][];
        Parallel.For(0, documents.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => parts[i] = tokenizer.Encode(documents[i]));
        var stream = new int[parts.Sum(p => p.Length + 1)];
        int at = 0;
        foreach (var p in parts)
        {
            stream[at++] = tokenizer.EndOfTextId;
            p.CopyTo(stream, at);
            at += p.Length;
        }
        return stream;
    }

    public static PretrainingData FromDocuments(IReadOnlyList<string> train, IReadOnlyList<string> heldOut, Gpt2Tokenizer tokenizer) => new()
    {
        TrainTokens = TokenStream(train, tokenizer),
        HeldOutTokens = TokenStream(heldOut, tokenizer),
        TrainSha256 = CorpusFiles.Sha256(CorpusFiles.Format(train)),
        HeldOutSha256 = CorpusFiles.Sha256(CorpusFiles.Format(heldOut)),
    };

    /// <summary>
    /// Reads train.txt and heldout.txt of a corpus folder and tokenizes them; the train stream is
    /// cached next to the text (<c>train.txt.gpt2-tokens</c>, keyed by the text's SHA-256).
    /// </summary>
    public static PretrainingData Load(string corpusDirectory, Gpt2Tokenizer tokenizer, Action<string>? log = null)
    {
        string trainPath = Path.Combine(corpusDirectory, CorpusFiles.TrainFileName);
        string heldPath = Path.Combine(corpusDirectory, CorpusFiles.HeldOutFileName);
        foreach (var p in new[] { trainPath, heldPath })
            if (!File.Exists(p))
                throw new FileNotFoundException($"Corpus file '{p}' is missing: run scripts/setup.sh to build the corpus.", p);
        string trainSha = CorpusFiles.Sha256OfFile(trainPath);
        string heldSha = CorpusFiles.Sha256OfFile(heldPath);
        return new PretrainingData
        {
            TrainTokens = CachedTokens(trainPath, trainSha, tokenizer, log),
            HeldOutTokens = TokenStream(CorpusFiles.ReadDocuments(heldPath), tokenizer),
            TrainSha256 = trainSha,
            HeldOutSha256 = heldSha,
            Source = Path.GetFullPath(corpusDirectory),
        };
    }

    const uint CacheMagic = 0x544B3247; // "G2KT"

    static int[] CachedTokens(string textPath, string sha, Gpt2Tokenizer tokenizer, Action<string>? log)
    {
        string cache = textPath + ".gpt2-tokens";
        byte[] key = Encoding.ASCII.GetBytes(sha + (tokenizer.Vocabulary is null ? "bundled" : "vocab"));
        if (File.Exists(cache))
        {
            var tokens = TryReadCache(cache, key);
            if (tokens is not null) return tokens;
        }
        log?.Invoke($"Tokenizing {textPath} …");
        var stream = TokenStream(CorpusFiles.ReadDocuments(textPath), tokenizer);
        try
        {
            AtomicFile.Write(cache, s =>
            {
                using var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
                w.Write(CacheMagic);
                w.Write(key.Length);
                w.Write(key);
                w.Write(stream.Length);
                var bytes = new byte[stream.Length * 4];
                for (int i = 0; i < stream.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), stream[i]);
                w.Write(bytes);
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log?.Invoke($"(token cache not written: {ex.Message})");
        }
        return stream;
    }

    static int[]? TryReadCache(string path, byte[] key)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadUInt32() != CacheMagic) return null;
            var storedKey = r.ReadBytes(r.ReadInt32());
            if (!storedKey.AsSpan().SequenceEqual(key)) return null;
            int count = r.ReadInt32();
            var bytes = r.ReadBytes(count * 4);
            if (bytes.Length != count * 4) return null;
            var tokens = new int[count];
            for (int i = 0; i < count; i++) tokens[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
            return tokens;
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException)
        {
            return null;
        }
    }
}

/// <summary>
/// Training batches: the stream is cut into blocks of length+1 tokens (stride length, so each
/// token is a target once per epoch); each epoch visits the blocks in an order shuffled by
/// (seed, epoch). Batch k is a pure function of k, so a resumed run sees the same data.
/// </summary>
public sealed class BatchSampler
{
    readonly int[] _tokens;
    readonly int _length;
    readonly int _batchSize;
    readonly long _seed;
    readonly Dictionary<long, int[]> _permutations = new();

    public long BlockCount { get; }

    public BatchSampler(int[] tokens, int length, int batchSize, long seed)
    {
        if (tokens.Length < length + 1)
            throw new ArgumentException($"The training text has {tokens.Length} tokens, fewer than one sequence of {length + 1}.");
        _tokens = tokens;
        _length = length;
        _batchSize = batchSize;
        _seed = seed;
        BlockCount = (tokens.Length - 1) / length;
    }

    public double EpochOf(long step) => (double)step * _batchSize / BlockCount;

    /// <summary>Inputs and targets of batch <paramref name="step"/>, each [batch × length], row-major.</summary>
    public (long[] Inputs, long[] Targets) Batch(long step)
    {
        var inputs = new long[_batchSize * _length];
        var targets = new long[_batchSize * _length];
        for (int b = 0; b < _batchSize; b++)
        {
            long j = step * _batchSize + b;
            long epoch = j / BlockCount;
            int block = Permutation(epoch)[j % BlockCount];
            int start = block * _length;
            for (int t = 0; t < _length; t++)
            {
                inputs[b * _length + t] = _tokens[start + t];
                targets[b * _length + t] = _tokens[start + t + 1];
            }
        }
        return (inputs, targets);
    }

    int[] Permutation(long epoch)
    {
        if (_permutations.TryGetValue(epoch, out var perm)) return perm;
        if (_permutations.Count > 2) _permutations.Clear();
        perm = Enumerable.Range(0, (int)BlockCount).ToArray();
        // System.Random with a seed is the same sequence on every platform and .NET version.
        var rng = new Random(unchecked((int)(_seed * 1_000_003 + epoch * 7919)));
        for (int i = perm.Length - 1; i > 0; i--)
        {
            int k = rng.Next(i + 1);
            (perm[i], perm[k]) = (perm[k], perm[i]);
        }
        return _permutations[epoch] = perm;
    }
}
