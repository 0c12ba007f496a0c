using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Injection.Tests.Tasks;

/// <summary>
/// The generators' labels checked through the algorithm itself: the training text is tokenized with the task
/// tokenizer, translated to the teacher's vocabulary, and run through the RASP evaluator (and the compiled teacher);
/// final_result at the answer positions must spell the label.
/// </summary>
public class TeacherLabelTests
{
    private sealed record Setup(InjectionTask Task, Gpt2Tokenizer Tokenizer, TokenTranslator Translator, TracrInjection.Compiler.Assembly.CompiledModel Teacher,
        TracrInjection.Rasp.Expressions.SOp Program);

    private static Setup For(InjectionTask task, InjectionFixes fixes)
    {
        int len = task.TeacherMaxSeqLen(fixes);
        var teacher = task.Teacher(len, fixes.RepairTracrBugs);
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(fixes));
        return new Setup(task, tok, new TokenTranslator(task.Translator(fixes), tok, teacher), teacher, task.BuildProgram(len));
    }

    /// <summary>Translated tokens (BOS dropped) and the positions whose final_result predicts the answer tokens.</summary>
    private static (List<Value> Tokens, int Start, string[] AnswerTokens) Translate(Setup s, TaskExample e)
    {
        var ids = s.Tokenizer.Encode(e.Text);
        int promptTokens = s.Tokenizer.Encode(e.Prompt).Length;
        var answer = ids[promptTokens..].Select(i => s.Tokenizer.Decode([i]).Trim()).ToArray();
        var tokens = s.Translator.TranslateIds(ids).Skip(1).Select(i => s.Teacher.TokenVocabulary[i]).ToList();
        return (tokens, promptTokens - 1, answer);
    }

    private static string Show(Value v) => v.Kind == ValueKind.Bool ? (v.IsTruthy ? "yes" : "no") : v.IsNone ? "None" : v.ToString();

    [Theory]
    [InlineData("dyck", false)]
    [InlineData("count", true)]
    public void RaspEvaluatorOnTheTranslatedInputSpellsTheLabel(string name, bool improved)
    {
        var task = InjectionTask.Get(name);
        var s = For(task, improved ? InjectionFixes.All : InjectionFixes.None);
        var data = task.BuildData(new TaskDataOptions { PoolSize = 2000, Seed = 3 }, InjectionFixes.None);
        int checkedItems = 0;
        foreach (var e in TaskDataset.Sample(data.Test, 40, 2))
        {
            var (tokens, start, answer) = Translate(s, e);
            if (tokens.Count > s.Teacher.MaxSeqLen) continue;
            var output = RaspEvaluator.Evaluate(s.Program, tokens, causal: true);
            for (int k = 0; k < answer.Length; k++) Assert.Equal(answer[k], Show(output[start + k]));
            checkedItems++;
        }
        Assert.True(checkedItems >= 20, $"only {checkedItems} items fit the teacher");
    }

    [Theory]
    [InlineData("sum", true)]
    [InlineData("count", true)]
    [InlineData("dyck", true)]
    [InlineData("dyck", false)]
    public void CompiledTeacherOnTheTranslatedInputSpellsTheLabel(string name, bool improved)
    {
        var task = InjectionTask.Get(name);
        var (correct, _, total) = TeacherAnswers(For(task, improved ? InjectionFixes.All : InjectionFixes.None), task, 24);
        Assert.True(total >= 12, $"only {total} items fit the teacher");
        Assert.Equal(total, correct);
    }

    [Fact]
    public void PaperDyckTeacherWritesAWeakAnswerWithoutTheTracrBugRepairs()
    {
        // tracr's SelectorWidth (bugs B4/B5 of the compiler) miscounts long prefixes: compiled as tracr compiles it, the
        // paper's dyck teacher still gets every answer right by argmax, but for a good share of the "no" items its
        // final_result component is far below 1 (down to ~0), so the cosine target barely holds the answer. The
        // repaired teacher writes a clean 1 everywhere.
        var (correct, weak, total) = TeacherAnswers(For(InjectionTask.Dyck, InjectionFixes.None), InjectionTask.Dyck, 120);
        Assert.Equal(total, correct);
        Assert.InRange((double)weak / total, 0.02, 0.4);
        var (rc, rw, rt) = TeacherAnswers(For(InjectionTask.Dyck, InjectionFixes.None with { RepairTracrBugs = true }), InjectionTask.Dyck, 120);
        Assert.Equal(rt, rc);
        Assert.Equal(0, rw);
    }

    /// <summary>Items answered right by the teacher's argmax decoding, items whose answer component is below 0.5, items run.</summary>
    private static (int Correct, int Weak, int Total) TeacherAnswers(Setup s, InjectionTask task, int items)
    {
        var data = task.BuildData(new TaskDataOptions { PoolSize = 2000, Seed = 5 }, InjectionFixes.None);
        using var runtime = new CompiledTransformer(s.Teacher);
        var decoder = new ResidualDecoder(s.Teacher);
        var output = InjectionTask.OutputVariable(s.Teacher);
        int correct = 0, weak = 0, total = 0;
        foreach (var e in TaskDataset.Sample(data.Test, items, 2))
        {
            var (tokens, start, answer) = Translate(s, e);
            if (tokens.Count > s.Teacher.MaxSeqLen) continue;
            using var f = runtime.Run([tokens], captureStages: false);
            var residual = f.Residual(f.StageNames.Count - 1);
            var outputs = decoder.DecodeOutput(residual);
            total++;
            if (Enumerable.Range(0, answer.Length).All(k => answer[k] == Show(outputs[start + k]))) correct++;
            if (Enumerable.Range(0, answer.Length).Any(k => ResidualDecoder.DecodeVariable(output, residual, start + k + 1).IsNone)) weak++;
        }
        return (correct, weak, total);
    }

    [Fact]
    public void PaperSumTeacherNeverFindsTheEqualsSign()
    {
        // paper.md §5.1: with '=' translated to '+', final_result never holds the answer. (The RASP evaluator cannot run
        // the sum program, as upstream's cannot: its comparisons raise on the None keys of the shifts; the compiled
        // teacher is the reference.)
        foreach (var (fixes, expectAnswer) in new[] { (InjectionFixes.None, false), (InjectionFixes.All, true) })
        {
            var s = For(InjectionTask.Sum, fixes);
            var (tokens, start, answer) = Translate(s, SumTask.Example(213, 391));
            Assert.Equal(["6", "0", "4"], answer);
            using var runtime = new CompiledTransformer(s.Teacher);
            using var f = runtime.Run([tokens], captureStages: false);
            var residual = f.Residual(f.StageNames.Count - 1);
            var output = InjectionTask.OutputVariable(s.Teacher);
            var values = Enumerable.Range(1, tokens.Count).Select(p => Show(ResidualDecoder.DecodeVariable(output, residual, p))).ToList();
            if (expectAnswer) Assert.Equal(["6", "0", "4"], values.Skip(start).Take(3));
            else Assert.All(values, v => Assert.True(v == "None", $"final_result holds {v} with the paper's translator"));
        }
    }

    [Fact]
    public void PaperCountTeacherOnlySuppliesTheTensDigit()
    {
        // paper.md §3.2: stock tokenizer, " 12" is one token; the teacher writes '1' at ':' and '2' one position later.
        var s = For(InjectionTask.Count, InjectionFixes.None);
        var e = CountTask.Example(string.Join(' ', Enumerable.Repeat("x y", 12)), 12);
        var (tokens, start, answer) = Translate(s, e);
        Assert.Equal(["12"], answer);
        var output = RaspEvaluator.Evaluate(s.Program, tokens, causal: true);
        Assert.Equal("1", Show(output[start]));
        Assert.Equal("2", Show(output[start + 1]));
    }
}
