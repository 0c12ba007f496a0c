using TracrInjection.Models.Tokenization;

namespace TracrInjection.Models.Tests.Gpt2;

// Expected ids were cross-checked against OpenAI's original GPT-2 BPE algorithm (the JS port in
// the gpt-3-encoder package) run on HF's vocab.json/merges.txt, and, for the variants, on merges
// files produced by the paper's modify_tokenizer.py filters.
public class TokenizerTests
{
    static readonly string[] Samples =
    {
        "Hello world", " Hello world", "12345 + 678 = 13023", "What is 5 + 7? Answer: 12",
        "( [ { ) ] } (( )) [[ ]] {{ }}", "  multiple   spaces  here", "line one\nline two\n\nend",
        "I'm you're they've we'll he'd it's", "café naïve résumé 日本語 emoji 😀👍", "x == y && z != 3.14159",
        "##### # ## #$ ### C# #hashtag  ##", "Count the x: x x x x x x x x x x x x. Answer: 12",
    };

    [Fact]
    public void StockTokenizerGivesKnownGpt2Ids()
    {
        var tok = Gpt2Tokenizer.Create();
        Assert.Equal(new[] { 15496, 995 }, tok.Encode("Hello world"));
        Assert.Equal(new[] { 18435, 995 }, tok.Encode(" Hello world"));
        Assert.Equal(new[] { 10163, 2231, 1343, 718, 3695, 796, 11323, 1954 }, tok.Encode("12345 + 678 = 13023"));
        Assert.Equal(new[] { 12332, 262, 2124, 25, 2124, 2124, 13, 23998, 25, 1105 }, tok.Encode("Count the x: x x. Answer: 12"));
        Assert.Equal(new[] { 50256, 15496, 50256 }, tok.Encode("<|endoftext|>Hello<|endoftext|>"));
        Assert.Equal(50256, tok.EndOfTextId);
        Assert.Equal(50257, tok.VocabSize);
        foreach (var s in Samples) Assert.Equal(s, tok.Decode(tok.Encode(s)));
    }

    [Fact]
    public void BundledVocabularyRebuildsGpt2Merges()
    {
        var v = Gpt2Vocabulary.Bundled;
        Assert.Equal(50257, v.TokenToId.Count);
        Assert.Equal(50000, v.Merges.Count);
        Assert.Equal(("Ġ", "t"), v.Merges[0]);
        Assert.Equal(("Ġ", "a"), v.Merges[1]);
        Assert.Equal(("#", "#"), v.Merges[1979]);
        Assert.Equal(("Ġg", "azed"), v.Merges[^1]);
        Assert.Equal(15496, v.TokenToId["Hello"]);
        Assert.Equal(50256, v.TokenToId["<|endoftext|>"]);

        // BPE over the rebuilt merges agrees with tiktoken's rank-based BPE.
        var rebuilt = Gpt2Tokenizer.FromVocabulary(v);
        var stock = Gpt2Tokenizer.Create();
        foreach (var s in Samples) Assert.Equal(stock.Encode(s), rebuilt.Encode(s));
    }

    [Fact]
    public void SplitDigitsVariantNeverMergesDigits()
    {
        var tok = Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitDigits);
        Assert.Equal(new[] { 16, 17, 18, 19, 20, 1343, 718, 22, 23, 796, 352, 18, 15, 17, 18 }, tok.Encode("12345 + 678 = 13023"));
        Assert.Equal(new[] { 2061, 318, 642, 1343, 767, 30, 23998, 25, 352, 17 }, tok.Encode("What is 5 + 7? Answer: 12"));
        Assert.Equal(new[] { 604 }, tok.Encode(" 4"));
        Assert.Equal(new[] { 15496, 995 }, tok.Encode("Hello world"));
        Assert.Same(tok, Gpt2Tokenizer.ForTask("int-sum"));
        foreach (var s in Samples) Assert.Equal(s, tok.Decode(tok.Encode(s)));
        Assert.Equal(1671, Gpt2Vocabulary.Bundled.Merges.Count - tok.Vocabulary!.Merges.Count);
    }

    [Fact]
    public void SplitBracketsVariantNeverMergesBrackets()
    {
        var tok = Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitBrackets);
        Assert.Equal(new[] { 7, 220, 58, 220, 90, 220, 8, 220, 60, 220, 92, 220, 7, 7, 220, 8, 8 }, tok.Encode("( [ { ) ] } (( ))"));
        Assert.Equal(new[] { 9288, 220, 7, 220, 58, 220, 8, 220, 60, 2456 }, tok.Encode("test ( [ ) ] words"));
        Assert.Equal(Gpt2Tokenizer.Create().Encode("a <= b -> c"), tok.Encode("a <= b -> c")); // '<' '>' keep their merges
        Assert.Same(tok, Gpt2Tokenizer.ForTask("dyck"));
        Assert.Equal(242, Gpt2Vocabulary.Bundled.Merges.Count - tok.Vocabulary!.Merges.Count);
    }

    [Fact]
    public void VariantsReproduceThePapersHashRuleReordering()
    {
        // modify_tokenizer.py writes merges.txt lines starting with '#' first, which changes '#' runs.
        Assert.Equal(new[] { 22492 }, Gpt2Tokenizer.Create().Encode(" ##"));
        Assert.Equal(new[] { 220, 2235 }, Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitDigits).Encode(" ##"));
        Assert.Equal(new[] { 220, 2235 }, Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitBrackets).Encode(" ##"));

        var plain = Gpt2Tokenizer.FromVocabulary(Gpt2Vocabulary.Bundled.WithoutMerges(Gpt2MergeFilters.FormsMultiDigitNumber, hashRulesFirst: false));
        Assert.Equal(new[] { 22492 }, plain.Encode(" ##"));
        Assert.Equal(new[] { 352, 17 }, plain.Encode(" 12"));
    }

    [Fact]
    public void MergeFiltersFollowThePythonRules()
    {
        Assert.True(Gpt2MergeFilters.FormsMultiDigitNumber("1", "2"));
        Assert.True(Gpt2MergeFilters.FormsMultiDigitNumber("Ġ1", "2"));
        Assert.True(Gpt2MergeFilters.FormsMultiDigitNumber("12", "3"));
        Assert.False(Gpt2MergeFilters.FormsMultiDigitNumber("Ġ", "4"));
        Assert.False(Gpt2MergeFilters.FormsMultiDigitNumber("x", "1"));
        Assert.True(Gpt2MergeFilters.FormsMultiDigitNumber("1", "²")); // Python's isdigit accepts '²'
        Assert.True(Gpt2MergeFilters.InvolvesBracket("Ġ(", "x"));
        Assert.True(Gpt2MergeFilters.InvolvesBracket("a", ")"));
        Assert.False(Gpt2MergeFilters.InvolvesBracket("((", "(("));
        Assert.False(Gpt2MergeFilters.InvolvesBracket("<", "="));
    }

    [Fact]
    public void CheckpointVocabularyFilesAreUsedWhenPresent()
    {
        using var dir = new TempFolder();
        Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitDigits).Save(dir.Path);
        Assert.Equal("#version: 0.2", File.ReadLines(dir["merges.txt"]).First());
        Assert.Equal("# #", File.ReadLines(dir["merges.txt"]).ElementAt(1));

        // A folder holding the modified merges gives the digit-splitting tokenizer even as "Standard".
        var fromFiles = Gpt2Tokenizer.Create(Gpt2TokenizerVariant.Standard, dir.Path);
        Assert.NotNull(fromFiles.Vocabulary);
        Assert.Equal(new[] { 16, 17, 18 }, fromFiles.Encode("123"));

        using var stockDir = new TempFolder();
        Gpt2Tokenizer.Create().Save(stockDir.Path);
        var reloaded = Gpt2Vocabulary.Load(stockDir.Path);
        Assert.Equal(Gpt2Vocabulary.Bundled.Merges, reloaded.Merges);
        Assert.Equal(Gpt2Vocabulary.Bundled.TokenToId.Count, reloaded.TokenToId.Count);
        var stock = Gpt2Tokenizer.Create();
        foreach (var variant in Enum.GetValues<Gpt2TokenizerVariant>())
        {
            var a = Gpt2Tokenizer.Create(variant);
            var b = Gpt2Tokenizer.Create(variant, stockDir.Path);
            foreach (var s in Samples) Assert.Equal(a.Encode(s), b.Encode(s));
        }
        Assert.Equal(stock.Encode("12345"), Gpt2Tokenizer.Create(Gpt2TokenizerVariant.Standard, stockDir.Path).Encode("12345"));
    }

    [Fact]
    public void BadMergesFileIsReported()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["vocab.json"], """{"a": 0, "b": 1, "ab": 2}""");
        File.WriteAllText(dir["merges.txt"], "#version: 0.2\na b\nthis line is wrong\n");
        var ex = Assert.Throws<InvalidDataException>(() => Gpt2Vocabulary.Load(dir.Path));
        Assert.Contains("line 3", ex.Message);
        File.WriteAllText(dir["vocab.json"], "[1, 2]");
        Assert.Contains("vocab.json", Assert.Throws<InvalidDataException>(() => Gpt2Vocabulary.Load(dir.Path)).Message);
    }
}
