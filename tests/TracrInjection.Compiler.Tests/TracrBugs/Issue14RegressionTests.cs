using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Verification;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.TracrBugs;

/// <summary>The four programs of issue 14 (files in Repros/), in fix mode and in tracr mode.</summary>
public class Issue14RegressionTests
{
    private static (Rasp.Library.ProgramSpec Spec, CompiledModel Model) Compile(string file, bool fix)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TracrBugs", "Repros", file);
        var spec = RaspProgramText.ParseFile(path).ToProgramSpec();
        return (spec, RaspCompiler.Compile(spec.Build(), spec.Settings with { FixTracrBugs = fix }));
    }

    private static Value[] In(string s) => s.Split(' ').Select(t => int.TryParse(t, out int i) ? Value.Int(i) : Value.Str(t)).ToArray();

    private static float[,] Final(CompiledModel m, Value[] input) => ReferenceForward.Residuals(m, m.Encode(input))[^1];

    [Fact]
    public void NumericalAggregateOverAnEmptySelectionIsExactInFixMode()
    {
        var input = In("a a a b b c a b");
        var (_, tracr) = Compile("numerical_leak.rasp", fix: false);
        Assert.All(Differential.DecodeOutput(tracr, Final(tracr, input)), v => Assert.InRange(v.AsDouble, 1e-4, 3e-4)); // tracr leaks 1.8e-4
        var (_, fixedModel) = Compile("numerical_leak.rasp", fix: true);
        Assert.All(Differential.DecodeOutput(fixedModel, Final(fixedModel, input)), v => Assert.InRange(v.AsDouble, -1e-6, 1e-6));
        Assert.Contains(fixedModel.Repairs, r => r.Contains("√key_size"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CategoricalAggregateThatAveragesIsFlagged(bool fix)
    {
        var (spec, m) = Compile("categorical_average.rasp", fix);
        Assert.Single(m.Warnings); // TRUE selector: several positions provably selected
        var input = In("3 2 2");
        var x = Final(m, input);
        var report = AveragingCheck.Check(m, x);
        Assert.Equal([1, 2], report.Findings.Select(f => f.Position));
        Assert.All(report.Findings, f => Assert.StartsWith("v2", f.Expression));
        Assert.Equal([false, true, true], report.Output);
        Assert.Equal(Value.Int(4), Differential.DecodeOutput(m, x)[0]);
        Assert.Equal(Value.Int(4), RaspEvaluator.Evaluate(spec.Build(), input, causal: true)[0]);
    }

    [Fact]
    public void UndefinedOutputsReadNoneInFixModeAndArgmaxInTracrMode()
    {
        var input = In("a b b a");
        var (spec, tracr) = Compile("batch_dependence.rasp", fix: false);
        var (_, fixedModel) = Compile("batch_dependence.rasp", fix: true);
        var rasp = RaspEvaluator.Evaluate(spec.Build(), input);
        Assert.True(rasp[2].IsNone && rasp[3].IsNone);
        var f = Differential.DecodeOutput(fixedModel, Final(fixedModel, input));
        Assert.Equal([Value.Int(4), Value.Int(4), Value.None, Value.None], f);
        var t = Differential.DecodeOutput(tracr, Final(tracr, input));
        Assert.False(t[2].IsNone);
    }

    [Fact]
    public void B15_SelectorWidthReadsGarbageKeysAtBos()
    {
        var input = In("1 1 2 3");
        var (spec, tracr) = Compile("selector_width_bos_key.rasp", fix: false);
        Assert.Equal([0, 0, 0, 0], Differential.DecodeOutput(tracr, Final(tracr, input)).Select(v => (int)v.AsDouble));
        var (_, fixedModel) = Compile("selector_width_bos_key.rasp", fix: true);
        var rasp = RaspEvaluator.Evaluate(spec.Build(), input);
        Assert.Equal([0, 0, 2, 2], rasp.Select(v => (int)v.AsDouble));
        Assert.Equal(rasp, Differential.DecodeOutput(fixedModel, Final(fixedModel, input)));
        Assert.Contains(fixedModel.Repairs, r => r.Contains("B15"));
    }
}
