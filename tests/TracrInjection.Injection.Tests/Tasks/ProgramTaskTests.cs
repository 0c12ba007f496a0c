using TorchSharp;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Tests.Tasks;

/// <summary>Tasks made from any RASP program: data, labels, checks of the inputs, and the teacher's input window.</summary>
public class ProgramTaskTests
{
    public const string Histogram = """
        # vocab: a, b, c
        # max_seq_len: 5
        same = select(tokens, tokens, ==);
        hist = selector_width(same).named("hist");
        """;

    public const string Reverse = """
        # vocab: a, b, c
        # max_seq_len: 5
        opp = length - indices - 1;
        flip = select(indices, opp, ==);
        reverse = aggregate(flip, tokens).named("reverse");
        """;

    public static ProgramTaskSpec Spec(string text = Histogram, string template = "Count: {input} =", string answer = "last",
        IReadOnlyList<string>? vocab = null, int max = 5, int min = 1, int? ood = null, bool literal = false) => new()
    {
        Path = Path.Combine(Path.GetTempPath(), "prog.rasp"), Text = text, Vocab = vocab ?? ["a", "b", "c"], LiteralVocab = literal,
        MaxLength = max, MinLength = min, OodMaxLength = ood, Template = template, Answer = answer,
    };

    private static readonly TaskDataOptions Small = new() { Seed = 7, PoolSize = 200, MaxTestSize = 40, ValidationSize = 10, OodSize = 30 };

    [Fact]
    public void DataIsDeterministicAndLabelledByTheRaspEvaluator()
    {
        var task = InjectionTask.ForProgram(Spec());
        Assert.Equal(InjectionTaskKind.Program, task.Kind);
        Assert.Equal("program:prog", task.Name);
        var a = task.BuildData(Small, InjectionFixes.None);
        var b = task.BuildData(Small, InjectionFixes.None);
        var other = task.BuildData(Small with { Seed = 8 }, InjectionFixes.None);
        Assert.Equal(a.Train.Select(e => e.Text), b.Train.Select(e => e.Text));
        Assert.NotEqual(a.Train.Select(e => e.Text), other.Train.Select(e => e.Text));
        Assert.Equal(200, a.PoolSize);
        Assert.Equal(200, a.Train.Count + a.Validation.Count + a.Test.Count);
        var prompts = a.Train.Concat(a.Validation).Concat(a.Test).Select(e => e.Prompt).ToList();
        Assert.Equal(prompts.Count, prompts.Distinct().Count());

        // Independently: a fresh parse of the program, evaluated on the tokens read back from the prompt.
        var program = RaspProgramText.Parse(Histogram).RequireOutput();
        foreach (var e in a.Test.Concat(a.Ood("length_ood")))
        {
            Assert.StartsWith("Count: ", e.Prompt);
            Assert.EndsWith(" =", e.Prompt);
            var tokens = e.Prompt["Count: ".Length..^2].Split(' ').Select(Value.Str).ToArray();
            int expected = tokens.Count(t => t.Equals(tokens[^1]));
            Assert.Equal(expected.ToString(), e.Label);
            Assert.Equal(RaspEvaluator.Evaluate(program, tokens)[^1].ToString(), e.Label);
            Assert.Equal(e.Label, task.Solve(e.Prompt));
        }
        Assert.All(a.Test, e => Assert.InRange(e.Prompt.Split(' ').Length - 2, 1, 5));
        var ood = a.Ood("length_ood");
        Assert.Equal(30, ood.Count);
        Assert.All(ood, e => Assert.InRange(e.Prompt.Split(' ').Length - 2, 6, 10));
        Assert.Equal([InjectionTask.InDistribution, "length_ood"], a.EvaluatedSplits);
    }

    [Fact]
    public void SmallInputSpacesAreEnumerated()
    {
        var task = InjectionTask.ForProgram(Spec(vocab: ["a", "b"], max: 4));
        Assert.Equal(2 + 4 + 8 + 16, task.Program!.InputSpace);
        var data = task.BuildData(new TaskDataOptions { Seed = 1, MaxTestSize = 5, ValidationSize = 5 }, InjectionFixes.None);
        Assert.Equal(30, data.PoolSize);
        var all = data.Train.Concat(data.Validation).Concat(data.Test).Select(e => e.Prompt).ToHashSet();
        Assert.Equal(30, all.Count);
    }

    [Fact]
    public void AnswersPickOutputPositions()
    {
        var task = InjectionTask.ForProgram(Spec(Reverse, "Reverse: {input} =", "all")).Program!;
        Assert.Equal("c b a", task.Example("\u0000\u0001\u0002").Label);
        Assert.Equal("Reverse: a b c =", task.Example("\u0000\u0001\u0002").Prompt);
        var firstLast = InjectionTask.ForProgram(Spec(Reverse, "Reverse: {input} =", "0,-1")).Program!;
        Assert.Equal("c a", firstLast.Example("\u0000\u0001\u0002").Label);
        Assert.Equal([0, 2], AnswerPositions.Parse("first,last".Replace("first,last", "0,-1"), 2).For(3));
        Assert.Equal([2], AnswerPositions.Parse("last", 1).For(3));
        Assert.Equal([0], AnswerPositions.Parse("first", 1).For(3));
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => AnswerPositions.Parse("3", 2)).Message);
        Assert.Contains("not last, first, all", Assert.Throws<ArgumentException>(() => AnswerPositions.Parse("middle", 2)).Message);
    }

    [Theory]
    [InlineData("Count: =", "exactly once (found 0")]
    [InlineData("{input} and {input} =", "exactly once (found 2")]
    [InlineData("Count: {input}", "needs text after {input}")]
    [InlineData("Count: {input} a", "begins with a vocabulary token")]
    [InlineData("Count: {input}x =", "does not keep the input as one token per item")]
    public void BadTemplatesAreRejected(string template, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => InjectionTask.ForProgram(Spec(template: template))).Message);

    [Fact]
    public void BadProgramsAndSettingsAreRejected()
    {
        string Error(ProgramTaskSpec s) => Assert.Throws<ArgumentException>(() => InjectionTask.ForProgram(s)).Message;
        Assert.Contains("'xqzvw' is not a single language-model token", Error(Spec(vocab: ["a", "xqzvw"])));
        Assert.Contains("is numerical", Error(Spec("# vocab: a, b\nx = numerical(map(lambda t: 1, tokens));\n", vocab: ["a", "b"])));
        Assert.Matches(@"prog\.rasp:2:\d+: ", Error(Spec("# vocab: a, b\nx = select(tokens, ;\n", vocab: ["a", "b"])));
        // The first position selects nothing: its output is None.
        Assert.Contains("is None at position 0", Error(Spec("prev = select(indices, indices, <);\nx = aggregate(prev, tokens);\n", answer: "first")));
        Assert.Contains("min input length", Error(Spec(min: 6)));
        Assert.Contains("OOD length must be greater", Error(Spec(ood: 5)));
        Assert.Contains("distinct inputs exist", Error(Spec(vocab: ["a", "b"], max: 3)));
    }

    [Fact]
    public void LiteralVocabulariesMapToTheirCompiledValues()
    {
        var task = InjectionTask.ForProgram(Spec("# vocab: 1, 2, 3\nx = map(lambda t: t + 1, tokens);\n", "Add one: {input} =", "all",
            vocab: ["1", "2", "3"], max: 4, literal: true));
        Assert.Equal("3 4 2", task.Program!.Example("\u0001\u0002\u0000").Label);
        var teacher = task.Teacher(task.TeacherMaxSeqLen(InjectionFixes.None));
        var tok = Gpt2Tokenizer.Create();
        using var tr = new TokenTranslator(task.Translator(InjectionFixes.None), tok, teacher);
        Assert.Equal(Value.Int(2), teacher.TokenVocabulary[tr[tok.Encode(" 2").Single()]]);
        Assert.Equal(teacher.PadId, tr.FillUpId);
    }

    [Fact]
    public void TheTeacherReadsTheInputWindowAndItsOutputIsTheLabel()
    {
        var task = InjectionTask.ForProgram(Spec(Reverse, "Please reverse: {input} =", "all"));
        var fixes = InjectionFixes.None;
        var teacher = task.Teacher(task.TeacherMaxSeqLen(fixes));
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(fixes));
        using var tr = new TokenTranslator(task.Translator(fixes), tok, teacher);
        var input = task.TeacherInputFor(tr, tok, teacher);
        int p = tok.Encode("Please reverse:").Length;
        Assert.Equal(p, input.Offset);
        Assert.Equal(5, input.Length);

        var data = task.BuildData(Small, fixes);
        var items = data.Test.Take(8).ToList();
        var builder = new SupervisedBatchBuilder(tok, tok.EndOfTextId, task.PaperMaxLength, tokenExactMask: true);
        var batch = builder.Build(items);
        using var scope = NewDisposeScope();
        var ids = tensor(batch.Ids, [batch.BatchSize, batch.Length], ScalarType.Int64);
        var prepared = input.Prepare(ids);
        Assert.Equal(new long[] { items.Count, 1 + 5 }, prepared.CompiledIds.shape);
        Assert.Equal(new long[] { items.Count, batch.Length }, prepared.Mask!.shape);
        var compiled = prepared.CompiledIds.data<long>().ToArray();
        var mask = prepared.Mask.data<float>().ToArray();
        using var runtime = new CompiledTransformer(teacher);
        using var forward = runtime.Forward(prepared.CompiledIds, captureStages: true);
        var decoder = new ResidualDecoder(teacher);
        for (int b = 0; b < items.Count; b++)
        {
            var tokens = items[b].Prompt["Please reverse: ".Length..^2].Split(' ');
            int n = tokens.Length;
            // [BOS, input..., PAD...]: the label " c b a" after " =" is a vocabulary token again, but the input stopped at " =".
            Assert.Equal(teacher.BosId, (int)compiled[b * 6]);
            for (int k = 0; k < 5; k++)
            {
                var expected = k < n ? teacher.IndexOfToken(Value.Str(tokens[k])) : teacher.PadId;
                Assert.Equal(expected, (int)compiled[b * 6 + 1 + k]);
            }
            for (int q = 0; q < batch.Length; q++)
                Assert.Equal(q >= p && q < p + n ? 1f : 0f, mask[b * batch.Length + q]);
            Assert.Equal(p + 2, input.CompiledPosition(p + 1) + p);
            var r = CompiledForward.ToArray(forward.Output, b);
            var outputs = Enumerable.Range(1, n).Select(k => decoder.DecodeOutputAt(r, k)).ToArray();
            Assert.Equal(items[b].Label, task.Program!.TryLabel(n, outputs));
        }
        var targets = input.Targets(forward.Residuals[^1], batch.Length);
        Assert.Equal(new long[] { items.Count, batch.Length, teacher.ResidualWidth }, targets.shape);
        Assert.Equal(0f, targets.narrow(1, 0, p).abs().sum().item<float>());
        Assert.True(targets.narrow(1, p, 1).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ThePaperTasksKeepTheWholeSequence()
    {
        var task = InjectionTask.Dyck;
        var teacher = task.Teacher(task.TeacherMaxSeqLen(InjectionFixes.None));
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(InjectionFixes.None));
        using var tr = new TokenTranslator(task.Translator(InjectionFixes.None), tok, teacher);
        var input = task.TeacherInputFor(tr, tok, teacher);
        Assert.False(input.IsWindow);
        Assert.Equal(0, input.Offset);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 7, 8, 9, 10 }, [1, 4], ScalarType.Int64);
        var prepared = input.Prepare(ids);
        Assert.Null(prepared.Mask);
        Assert.Equal(tr.Translate(ids).data<long>().ToArray(), prepared.CompiledIds.data<long>().ToArray());
    }

    [Fact]
    public void OptionsRoundTripThroughJson()
    {
        var o = InjectionOptions.ForPreset(InjectionPreset.Improved, Spec(Reverse, "Reverse: {input} =", "all"));
        var back = InjectionOptions.FromJson(o.ToJson());
        Assert.Equal("program:prog", back.Task);
        Assert.Equal(o.Program!.Key(), back.Program!.Key());
        Assert.Same(o.TaskDefinition, back.TaskDefinition);
        Assert.Equal(5, back.EffectiveTeacherMaxSeqLen);
        Assert.Contains("\"template\": \"Reverse: {input} =\"", o.ToJson());
    }
}
