using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Chamber;
using TracrInjection.Compiler.Verification;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;
using R = TracrInjection.Rasp.Expressions.Rasp;

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

    private static IEnumerable<Value[]> Prefixes(string s)
    {
        var all = In(s);
        for (int n = 1; n <= all.Length; n++) yield return all[..n];
    }

    [Fact]
    public void AffineMapOfAMeanIsExactInFixMode()
    {
        var (spec, m) = Compile("affine_drift.rasp", fix: true);
        Assert.Contains(m.Repairs, r => r.Contains("affine"));
        foreach (var input in Prefixes("a a a b b b").Concat(Prefixes("b a b a a b")))
        {
            var rasp = RaspEvaluator.Evaluate(spec.Build(), input, causal: true);
            var got = Differential.DecodeOutput(m, Final(m, input));
            for (int i = 0; i < rasp.Length; i++)
                Assert.InRange(Math.Abs(got[i].AsDouble - rasp[i].AsDouble), 0, Differential.AbsTolerance + Differential.RelTolerance * Math.Abs(rasp[i].AsDouble));
        }
    }

    [Fact]
    public void DiscretisingStepsDriftInFloat32WhereTheAffineMlpDoesNot()
    {
        // The root cause of the drift: Σ_k Δy_k (ReLU(L(x−t)+1) − ReLU(L(x−t))) in float32 rounds each product at
        // the scale L·x·Δy, however exact the first layer; a·x rounds once.
        var values = new ValueSet();
        values.Add(Value.Float(0));
        for (int w = 1; w <= 6; w++) for (int k = 0; k <= w; k++) values.Add(Value.Float((double)k / w));
        var disc = NumericalMlp.Discretise(values, x => Py.Mul(x, Value.Int(2)), 1e-9);
        var (exact, large) = NumericalMlp.FloatExact(disc, 100);
        Assert.Equal((2.0, 0.0), NumericalMlp.AffineFit(disc));
        float x = 0.75f;
        float sum = (float)exact.Outputs[0].AsDouble;
        for (int k = 1; k < exact.Inputs.Count; k++)
        {
            float delta = (float)(exact.Outputs[k].AsDouble - exact.Outputs[k - 1].AsDouble);
            float lx = (float)large * x, lt = (float)(large * exact.Thresholds[k - 1]);
            float a = MathF.Max(0, lx + (1 - lt)), b = MathF.Max(0, lx - lt);
            sum += a * delta;
            sum += b * -delta;
        }
        Assert.True(Math.Abs(sum - 1.5) > 1e-7, $"the step construction happened to be exact here ({sum:R})");
        Assert.Null(NumericalMlp.AffineFit(NumericalMlp.Discretise(values, x => Value.Int(x.AsDouble > 0.5 ? 1 : 0), 1e-9)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IntMeanThatAStrTellsApartIsFlagged(bool fix)
    {
        var (spec, m) = Compile("int_mean.rasp", fix);
        Assert.Contains(m.Dataflow, d => d.Label.StartsWith("a_") && d.IntMeanObservable);
        var input = In("1 1 1");
        var rasp = RaspEvaluator.Evaluate(spec.Build(), input);
        Assert.Equal("111.0", rasp[0].ToString());
        var x = Final(m, input);
        Assert.Equal("111", Differential.DecodeOutput(m, x)[0].ToString());
        var report = AveragingCheck.Check(m, x);
        var f = Assert.Single(report.Findings, f => f.Position == 0);
        Assert.Equal(2, f.Selected);
        Assert.Contains("float 1.0", f.ToString());
        Assert.True(report.Output[0]);
    }

    [Fact]
    public void IntMeanThatNothingTellsApartIsNotFlagged()
    {
        // The same aggregate feeding x + 1 then the output: 2 == 2.0, as tracr's tests compare.
        using var scope = Rasp.Expressions.IdScope.Begin();
        var v1 = R.SequenceMap((a, b) => Py.Add(a, b), R.Tokens, R.Indices);
        var agg = R.Aggregate(R.Select(v1, v1, Rasp.Expressions.Comparison.NEQ), R.Tokens);
        var prog = R.Map(x => Py.Add(x, Value.Int(1)), agg);
        var m = RaspCompiler.Compile(prog, new CompilerOptions { Vocab = [Value.Int(1), Value.Int(2)], MaxSeqLen = 3, FixTracrBugs = true });
        Assert.DoesNotContain(m.Dataflow, d => d.IntMeanObservable);
        Assert.Empty(AveragingCheck.Check(m, Final(m, In("1 1 1"))).Findings);
    }

    [Fact]
    public void EmptySelectorWidthAtAHugeKeySizeReadsZeroInFixMode()
    {
        var input = In("a a a");
        var (spec, tracr) = Compile("selector_width_key_size.rasp", fix: false);
        Assert.True(tracr.Config.KeySize > 2000);
        var rasp = RaspEvaluator.Evaluate(spec.Build(), input);
        Assert.All(rasp, v => Assert.Equal(Value.Int(0), v));
        Assert.Contains(Differential.DecodeOutput(tracr, Final(tracr, input)), v => !v.Equals(Value.Int(0))); // tracr leaks
        var (_, fixedModel) = Compile("selector_width_key_size.rasp", fix: true);
        Assert.Equal(rasp, Differential.DecodeOutput(fixedModel, Final(fixedModel, input)));
        Assert.Contains(fixedModel.Repairs, r => r.Contains("√key_size"));
    }

    [Fact]
    public void B15_DiscretisingMlpGarbageAtBosReachesAnEmptyMeansDefault()
    {
        var input = In("d a c b");
        var (spec, tracr) = Compile("mean_bos_default.rasp", fix: false);
        var rasp = RaspEvaluator.Evaluate(spec.Build(), input, causal: true);
        Assert.Equal(0.0, rasp[0].AsDouble);
        Assert.Equal(1.0, Differential.DecodeOutput(tracr, Final(tracr, input))[0].AsDouble, 1e-3); // BOS's f(0) chain: 1
        var (_, fixedModel) = Compile("mean_bos_default.rasp", fix: true);
        var got = Differential.DecodeOutput(fixedModel, Final(fixedModel, input));
        for (int i = 0; i < rasp.Length; i++) Assert.InRange(Math.Abs(got[i].AsDouble - rasp[i].AsDouble), 0, 2e-6);
        Assert.Contains(fixedModel.Repairs, r => r.Contains("B15"));
    }
}
