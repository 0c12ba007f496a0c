using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.LanguageEvaluation;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Tests.LanguageEvaluation;

public class RetainedAbilityTests
{
    [Fact]
    public void Cloze_targets_are_sentence_final_words_with_enough_context()
    {
        string doc = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"w{i}")) + " and then the cat sat on the mat. Next 42. The end came quickly!";
        var passages = ClozeTask.Candidates(doc, "f").ToList();
        Assert.Equal(["mat", "quickly"], passages.Select(p => p.Target));
        Assert.EndsWith("sat on the", passages[0].Context);
        Assert.DoesNotContain("mat", passages[0].Context);
        Assert.True(passages[1].Context.Split(' ').Length <= ClozeTask.MaxContextWords);
    }

    [Fact]
    public void Cloze_build_spreads_the_chosen_passages_over_all_files()
    {
        string Doc(string w) => string.Join(' ', Enumerable.Range(0, 16).Select(_ => "word")) + $" {w}.";
        var files = new List<(string, IReadOnlyList<string>)>
        {
            ("a", Enumerable.Range(0, 90).Select(i => Doc("alpha")).ToList()),
            ("b", Enumerable.Range(0, 10).Select(i => Doc("beta")).ToList()),
        };
        var chosen = ClozeTask.Build(files, 20);
        Assert.Equal(20, chosen.Count);
        Assert.Contains(chosen, p => p.Source == "b");
        Assert.Equal(chosen, ClozeTask.Build(files, 20));
    }

    static (List<(string, string)> Syn, List<(string, string)> Ant) Pairs(int n) =>
        (Enumerable.Range(0, n).Select(i => ($"big{i}", $"large{i}")).ToList(), Enumerable.Range(0, n).Select(i => ($"hot{i}", $"cold{i}")).ToList());

    [Fact]
    public void Choice_items_are_balanced_two_shot_and_independent_of_copying_a_demonstration()
    {
        var (syn, ant) = Pairs(200);
        var items = ChoiceTask.Build(syn, ant, 200);
        Assert.Equal(200, items.Count);
        Assert.Equal(100, items.Count(i => i.Answer == 0));
        foreach (var item in items)
        {
            var lines = item.Prompt.Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.EndsWith("Answer:", lines[2]);
            Assert.Contains(lines[..2], l => l.EndsWith(" same")); // one demonstration of each kind
            Assert.Contains(lines[..2], l => l.EndsWith(" opposite"));
        }
        // Copying the last (or first) demonstration's answer must score chance, not 0% or 100%.
        double CopyScore(int line) => items.Average(i => (i.Prompt.Split('\n')[line].EndsWith(" same") ? 0 : 1) == i.Answer ? 1.0 : 0.0);
        Assert.Equal(0.5, CopyScore(1), 2);
        Assert.Equal(0.5, CopyScore(0), 2);
        // The questions' pairs are never demonstrations.
        var questioned = items.Select(i => i.Prompt.Split('\n')[2]).ToHashSet();
        Assert.All(items, i => Assert.DoesNotContain(i.Prompt.Split('\n')[0].Replace(" same", "").Replace(" opposite", ""), questioned));
    }

    [Fact]
    public void Choice_needs_enough_pairs()
    {
        var (syn, ant) = Pairs(50);
        var ex = Assert.Throws<InvalidDataException>(() => ChoiceTask.Build(syn, ant, 200));
        Assert.Contains("needs", ex.Message);
    }

    [Fact]
    public void WordNet_pairs_come_from_synsets_and_antonym_pointers()
    {
        using var dir = new TempFolder();
        File.WriteAllText(Path.Combine(dir.Path, "data.adj"),
            "  1 This licence header line starts with spaces\n" +
            "00001740 00 a 02 able 0 capable 0 001 ! 00002098 a 0101 | having the means\n" +
            "00002098 00 a 01 unable 0 001 ! 00001740 a 0101 | not having the means\n" +
            "00002312 00 a 02 big 0 large 0 000 | above average in size\n");
        foreach (var f in new[] { "data.noun", "data.verb", "data.adv" }) File.WriteAllText(Path.Combine(dir.Path, f), "");
        var (synonyms, antonyms) = ChoiceTask.WordNetPairs(dir.Path);
        Assert.Equal([("able", "capable"), ("big", "large")], synonyms);
        Assert.Equal([("able", "unable")], antonyms);
    }

    [Fact]
    public void Evaluation_of_a_tiny_model_is_deterministic_and_in_range()
    {
        using var corpus = new TempFolder();
        var docs = Enumerable.Range(0, 40).Select(i => $"Document {i} tells a short story about the cat and the dog, and then it ends with a word number{i} today.").ToList();
        CorpusFiles.WriteDocuments(Path.Combine(corpus.Path, CorpusFiles.HeldOutFileName), docs);
        using var model = new Gpt2Model(new Gpt2Config { NLayer = 2, NHead = 2, NEmbd = 16, NPositions = 64 }, seed: 5);
        var options = new LanguageEvaluationOptions
        {
            CorpusDirectory = corpus.Path, ClozePassages = 30, ChoiceItems = 40,
            Tokenizers = [Gpt2TokenizerVariant.Standard, Gpt2TokenizerVariant.SplitDigits],
        };
        var a = LanguageEvaluator.Evaluate(model, "tiny", options);
        var b = LanguageEvaluator.Evaluate(model, "tiny", options);
        Assert.Equal(LanguageEvaluationJson.Serialize(a), LanguageEvaluationJson.Serialize(b));
        Assert.Equal(2, a.ByTokenizer.Count);
        var first = a.ByTokenizer[0];
        Assert.Single(first.Perplexity); // no heldout-prose.txt here
        Assert.InRange(first.Perplexity[0].Perplexity, 1000, 1e6); // a random model is near uniform over 50,257 tokens
        Assert.Equal(30, first.Cloze.Items);
        Assert.Equal(40, first.Choice.Items);
        Assert.InRange(first.Choice.Value, 0, 1);
        using var saved = new TempFolder();
        LanguageEvaluationJson.Save(a, saved["r.json"]);
        Assert.Equal(LanguageEvaluationJson.Serialize(a), LanguageEvaluationJson.Serialize(LanguageEvaluationJson.Load(saved["r.json"])));
    }
}
