using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace TracrInjection.Models.Tokenization;

/// <summary>The tokenizers of the paper (§2.8): stock GPT-2, and two with merges removed.</summary>
public enum Gpt2TokenizerVariant
{
    /// <summary>Stock GPT-2 BPE (used for the count task).</summary>
    Standard,
    /// <summary>int-sum: no merge forms a multi-digit number, so every digit is its own token.</summary>
    SplitDigits,
    /// <summary>dyck: no merge involves ()[]{}, so every bracket is its own token.</summary>
    SplitBrackets,
}

/// <summary>
/// GPT-2 byte-level BPE on top of Microsoft.ML.Tokenizers. "&lt;|endoftext|&gt;" in the text is the
/// special token 50256, as with HF's GPT2TokenizerFast. Instances are immutable and thread-safe.
/// </summary>
public sealed class Gpt2Tokenizer
{
    /// <summary>GPT-2's pre-tokenizer pattern (contractions, letters, numbers, other, whitespace).</summary>
    public const string PreTokenizerPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Regex PreTokenizerRegex = new(PreTokenizerPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    static readonly ConcurrentDictionary<Gpt2TokenizerVariant, Lazy<Gpt2Tokenizer>> BundledCache = new();

    public Tokenizer Inner { get; }
    public Gpt2TokenizerVariant Variant { get; }
    /// <summary>The vocabulary and merges in use; null for the stock tokenizer built from the tiktoken data.</summary>
    public Gpt2Vocabulary? Vocabulary { get; }
    public int EndOfTextId { get; }
    public int VocabSize { get; }

    Gpt2Tokenizer(Tokenizer inner, Gpt2TokenizerVariant variant, Gpt2Vocabulary? vocabulary, int endOfTextId, int vocabSize)
    {
        Inner = inner;
        Variant = variant;
        Vocabulary = vocabulary;
        EndOfTextId = endOfTextId;
        VocabSize = vocabSize;
    }

    /// <summary>
    /// The tokenizer for <paramref name="variant"/>: from <paramref name="directory"/>'s vocab.json +
    /// merges.txt when both exist, else from the GPT-2 data bundled with Microsoft.ML.Tokenizers
    /// (the stock variant through TiktokenTokenizer "gpt2", the others from the rebuilt merges).
    /// </summary>
    public static Gpt2Tokenizer Create(Gpt2TokenizerVariant variant = Gpt2TokenizerVariant.Standard, string? directory = null)
    {
        if (directory is not null && Gpt2Vocabulary.FilesExist(directory))
            return FromVocabulary(ApplyVariant(Gpt2Vocabulary.Load(directory), variant), variant);
        return BundledCache.GetOrAdd(variant, v => new Lazy<Gpt2Tokenizer>(() => CreateBundled(v))).Value;
    }

    /// <summary>The paper's tokenizer for a task name: "int-sum", "dyck", anything else stock.</summary>
    public static Gpt2Tokenizer ForTask(string task, string? directory = null) => Create(VariantForTask(task), directory);

    public static Gpt2TokenizerVariant VariantForTask(string task) => task.ToLowerInvariant() switch
    {
        "int-sum" or "sum" => Gpt2TokenizerVariant.SplitDigits,
        "dyck" => Gpt2TokenizerVariant.SplitBrackets,
        _ => Gpt2TokenizerVariant.Standard,
    };

    static Gpt2Tokenizer CreateBundled(Gpt2TokenizerVariant variant)
    {
        if (variant == Gpt2TokenizerVariant.Standard)
        {
            var tiktoken = TiktokenTokenizer.CreateForModel("gpt2");
            return new Gpt2Tokenizer(tiktoken, variant, null, 50256, 50257);
        }
        return FromVocabulary(ApplyVariant(Gpt2Vocabulary.Bundled, variant), variant);
    }

    static Gpt2Vocabulary ApplyVariant(Gpt2Vocabulary vocabulary, Gpt2TokenizerVariant variant) => variant switch
    {
        Gpt2TokenizerVariant.Standard => vocabulary,
        Gpt2TokenizerVariant.SplitDigits => vocabulary.WithoutMerges(Gpt2MergeFilters.FormsMultiDigitNumber, hashRulesFirst: true),
        Gpt2TokenizerVariant.SplitBrackets => vocabulary.WithoutMerges(Gpt2MergeFilters.InvolvesBracket, hashRulesFirst: true),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>A byte-level BPE tokenizer for an explicit vocabulary (e.g. one with custom merge filters).</summary>
    public static Gpt2Tokenizer FromVocabulary(Gpt2Vocabulary vocabulary, Gpt2TokenizerVariant variant = Gpt2TokenizerVariant.Standard)
    {
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (vocabulary.TokenToId.TryGetValue(Gpt2Vocabulary.EndOfText, out var eot)) special[Gpt2Vocabulary.EndOfText] = eot;
        var options = new BpeOptions(vocabulary.TokenToId.Where(kv => !special.ContainsKey(kv.Key)))
        {
            Merges = vocabulary.Merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(PreTokenizerRegex, special),
            SpecialTokens = special,
        };
        var bpe = BpeTokenizer.Create(options);
        int vocabSize = vocabulary.TokenToId.Count == 0 ? 0 : vocabulary.TokenToId.Values.Max() + 1;
        return new Gpt2Tokenizer(bpe, variant, vocabulary, special.TryGetValue(Gpt2Vocabulary.EndOfText, out var e) ? e : -1, vocabSize);
    }

    public int[] Encode(string text) => Inner.EncodeToIds(text).ToArray();

    public string Decode(IEnumerable<int> ids) => Inner.Decode(ids) ?? "";

    public int CountTokens(string text) => Inner.CountTokens(text);

    /// <summary>Writes vocab.json and merges.txt of this tokenizer (the stock one uses the rebuilt merges).</summary>
    public void Save(string directory) => (Vocabulary ?? Gpt2Vocabulary.Bundled).Save(directory);
}
