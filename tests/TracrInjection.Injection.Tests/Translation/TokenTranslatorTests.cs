using TorchSharp;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Tests.Translation;

public class TokenTranslatorTests
{
    private static (TokenTranslator Translator, Gpt2Tokenizer Tokenizer, TracrInjection.Compiler.Assembly.CompiledModel Teacher) For(InjectionTask task, InjectionFixes fixes)
    {
        var teacher = task.Teacher(task.TeacherMaxSeqLen(fixes));
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(fixes));
        return (new TokenTranslator(task.Translator(fixes), tok, teacher), tok, teacher);
    }

    private static string Compiled(TracrInjection.Compiler.Assembly.CompiledModel teacher, int id) => teacher.TokenVocabulary[id].ToString();

    private static int Single(Gpt2Tokenizer tok, string text)
    {
        var ids = tok.Encode(text);
        Assert.Single(ids);
        return ids[0];
    }

    [Fact]
    public void DyckMapsBracketsAndColonAndFillsTheRest()
    {
        var (tr, tok, teacher) = For(InjectionTask.Dyck, InjectionFixes.None);
        foreach (var b in new[] { "(", ")", "[", "]", "{", "}" })
            Assert.Equal(b, Compiled(teacher, tr[Single(tok, b)]));
        Assert.Equal("compute", Compiled(teacher, tr[Single(tok, ":")]));
        Assert.Equal(" ", Compiled(teacher, tr[Single(tok, "Answer")]));
        Assert.Equal(" ", Compiled(teacher, tr[tok.EndOfTextId]));
        Assert.Equal(50257, tr.LmVocabSize);

        var ids = tok.Encode(DyckTask.Prompt("([)]") + " yes");
        var translated = tr.TranslateIds(ids).Skip(1).Select(i => Compiled(teacher, i)).ToList();
        var tail = translated.SkipWhile(t => t == " ").ToList();
        Assert.Equal(["(", "[", ")", "]", " ", " ", "compute", " "], tail); // brackets, "\n", "Answer", ":", " yes"
    }

    [Fact]
    public void SumPaperTranslatorNeverMapsEqualsButImprovedDoes()
    {
        var (paper, tok, teacher) = For(InjectionTask.Sum, InjectionFixes.None);
        var (improved, _, _) = For(InjectionTask.Sum, InjectionFixes.All);
        foreach (var d in Enumerable.Range(0, 10))
        {
            Assert.Equal(d.ToString(), Compiled(teacher, paper[Single(tok, d.ToString())]));
            Assert.Equal(d.ToString(), Compiled(teacher, paper[Single(tok, " " + d)]));
        }
        Assert.Equal("+", Compiled(teacher, paper[Single(tok, " =")])); // the quirk: '=' falls to the fill-up '+'
        Assert.Equal("+", Compiled(teacher, paper[Single(tok, "=")]));
        Assert.Equal("=", Compiled(teacher, improved[Single(tok, " =")]));
        Assert.Equal("+", Compiled(teacher, improved[Single(tok, " +")]));
        Assert.Equal(" ", Compiled(teacher, improved[tok.EndOfTextId]));

        var ids = tok.Encode("213 + 391 = 604");
        Assert.Equal("bos 2 1 3 + 3 9 1 + 6 0 4", string.Join(" ", paper.TranslateIds(ids).Select(i => Compiled(teacher, i))));
        Assert.Equal("bos 2 1 3 + 3 9 1 = 6 0 4", string.Join(" ", improved.TranslateIds(ids).Select(i => Compiled(teacher, i))));
    }

    [Fact]
    public void CountMapsXToYesColonToCountAndWholeNumbersToTheFillUp()
    {
        var (tr, tok, teacher) = For(InjectionTask.Count, InjectionFixes.None);
        Assert.Equal("yes", Compiled(teacher, tr[Single(tok, " x")]));
        Assert.Equal("no", Compiled(teacher, tr[Single(tok, " y")]));
        Assert.Equal("count", Compiled(teacher, tr[Single(tok, ":")]));
        Assert.Equal("7", Compiled(teacher, tr[Single(tok, " 7")]));
        Assert.Equal("no", Compiled(teacher, tr[Single(tok, " 12")])); // stock tokenizer: one token, never mapped

        var (split, stok, _) = For(InjectionTask.Count, InjectionFixes.All);
        var ids = stok.Encode(" 12");
        Assert.Equal(["1", "2"], ids.Select(i => Compiled(teacher, split[i])));
    }

    [Fact]
    public void TensorTranslationIsOneLookupWithBosInFront()
    {
        var (tr, _, teacher) = For(InjectionTask.Dyck, InjectionFixes.None);
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 9).Select(_ => rng.Next(50257)).ToArray()).ToList();
        rows[1][2] = tr.Mapping.Keys.First();
        using var ids = tensor(rows.SelectMany(r => r.Select(x => (long)x)).ToArray(), [3, 9], ScalarType.Int64);
        using var translated = tr.Translate(ids);
        Assert.Equal(new long[] { 3, 10 }, translated.shape);
        var flat = translated.data<long>().ToArray();
        for (int b = 0; b < 3; b++)
        {
            var expected = tr.TranslateIds(rows[b]);
            Assert.Equal(teacher.BosId, expected[0]);
            Assert.Equal(expected.Select(x => (long)x), flat.Skip(b * 10).Take(10));
        }
    }

    [Fact]
    public void UnknownFillUpTokenIsRejected()
    {
        var teacher = InjectionTask.Dyck.Teacher(40);
        var spec = new TranslatorSpec(["("], [], "no-such-token");
        Assert.Throws<ArgumentException>(() => new TokenTranslator(spec, Gpt2Tokenizer.Create(Gpt2TokenizerVariant.SplitBrackets), teacher));
    }
}
