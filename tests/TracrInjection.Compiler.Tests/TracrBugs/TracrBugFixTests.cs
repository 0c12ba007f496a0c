using TracrInjection.Compiler.Validation;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.TracrBugs;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// One test per known tracr bug (spec §11): tracr mode reproduces the wrong behaviour, fix mode compiles a
/// model that agrees with the RASP evaluator.
/// </summary>
public class TracrBugFixTests
{
    private static CompilerOptions Options(IEnumerable<Value> vocab, int n, bool fix, double exactness = 100, bool causal = false) =>
        new() { Vocab = vocab.ToArray(), MaxSeqLen = n, FixTracrBugs = fix, MlpExactness = exactness, Causal = causal };

    private static Value[] V(params object[] xs) => xs.Select(x => x switch
    {
        int i => Value.Int(i),
        double d => Value.Float(d),
        string s => Value.Str(s),
        bool b => Value.Bool(b),
        _ => throw new ArgumentException(),
    }).ToArray();

    private static void AssertAgreesWithRasp(SOp program, CompilerOptions options, IEnumerable<Value[]> inputs)
    {
        var model = RaspCompiler.Compile(program, options);
        foreach (var input in inputs)
        {
            var expected = RaspEvaluator.Evaluate(program, input, options.Causal);
            var actual = ReferenceForward.Run(model, input);
            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i].IsNone) continue;
                AssertSame(expected[i], actual[i], $"input [{string.Join(" ", input.Select(x => x.ToString()))}] position {i}");
            }
        }
    }

    private static void AssertSame(Value expected, Value actual, string where)
    {
        if (expected.IsNumber && actual.IsNumber)
            Assert.True(Math.Abs(actual.AsDouble - expected.AsDouble) <= 1e-7 + 0.005 * Math.Abs(expected.AsDouble), $"{where}: expected {expected.Repr()}, got {actual.Repr()}");
        else Assert.True(expected.Equals(actual), $"{where}: expected {expected.Repr()}, got {actual.Repr()}");
    }

    [Fact]
    public void B1_KeySizeSmallerThanValueWidth()
    {
        // Aggregating a 10-letter vocabulary through an index selector at N = 2: tracr's key_size is 4 but the
        // value block needs 10 columns, and assembly fails.
        SOp Program() { using (IdScope.Begin()) return Rasp.Aggregate(Rasp.Select(Rasp.Indices, Rasp.Indices, Comparison.EQ), Rasp.Tokens); }
        var vocab = "abcdefghij".Select(c => Value.Str(c.ToString()));
        var e = Assert.Throws<CompilationException>(() => RaspCompiler.Compile(Program(), Options(vocab, 2, fix: false)));
        Assert.Contains("key_size", e.Message);
        var fixedModel = RaspCompiler.Compile(Program(), Options(vocab, 2, fix: true));
        Assert.Equal(10, fixedModel.Config.KeySize);
        AssertAgreesWithRasp(Program(), Options(vocab, 2, fix: true), [V("a", "j"), V("c"), V("j", "b")]);
    }

    [Fact]
    public void B2_NumericalMeanValueSetIsIncomplete()
    {
        SOp Program()
        {
            using (IdScope.Begin())
            {
                var frac = new Lib().MakeFracPrevs(Rasp.Tokens.Eq("x"));
                return Rasp.Numerical(Rasp.Map(x => Py.Mul(x, Value.Int(2)), frac, "2 * x"));
            }
        }
        var vocab = V("x", "y");
        var tracr = RaspCompiler.Compile(Program(), Options(vocab, 3, fix: false));
        var wrong = ReferenceForward.Run(tracr, V("x", "y", "x"));
        // tracr built the doubling MLP for {0, 1/w} only, so 2/3 falls into the 1/2 bucket: 1.0 instead of 1.33.
        Assert.Equal(1.0, wrong[2].AsDouble, 3);
        AssertAgreesWithRasp(Program(), Options(vocab, 3, fix: true), [V("x", "y", "x"), V("y", "x", "x"), V("x", "x", "y")]);
    }

    [Fact]
    public void B3_NegativeNumericalOutputsAreClipped()
    {
        SOp Program() { using (IdScope.Begin()) return Rasp.Numerical(Rasp.Map(x => Py.Neg(x), Rasp.Tokens, "-x")); }
        var vocab = V(1, 2);
        var tracr = ReferenceForward.Run(RaspCompiler.Compile(Program(), Options(vocab, 3, fix: false)), V(1, 2));
        Assert.All(tracr, v => Assert.Equal(0.0, v.AsDouble));
        AssertAgreesWithRasp(Program(), Options(vocab, 3, fix: true), [V(1, 2), V(2, 2, 1)]);
    }

    [Fact]
    public void B4_CountingDriftsAtLowExactness()
    {
        SOp Categorical() { using (IdScope.Begin()) return new Lib().MakeLength(); }
        SOp Numerical() { using (IdScope.Begin()) return Rasp.Numerical(new Lib().MakeLength()); }
        var vocab = V("a", "b");
        var inputs = Enumerable.Range(1, 16).Select(n => Enumerable.Repeat(Value.Str("a"), n).ToArray()).ToList();
        // tracr decodes length 10 as 9 at N = 16, mlp_exactness = 100.
        var tracr = RaspCompiler.Compile(Categorical(), Options(vocab, 16, fix: false));
        Assert.Equal(Value.Int(9), ReferenceForward.Run(tracr, inputs[9])[0]);
        AssertAgreesWithRasp(Categorical(), Options(vocab, 16, fix: true), inputs);
        AssertAgreesWithRasp(Numerical(), Options(vocab, 16, fix: true), inputs);
    }

    [Fact]
    public void B6_TwoSelectorWidthsShareOneBosCleanUpUnit()
    {
        SOp Program()
        {
            using (IdScope.Begin())
            {
                var lib = new Lib();
                return Rasp.SequenceMap((x, y) => Py.Add(Py.Mul(Value.Int(10), x), y), lib.MakeHist(), lib.MakeLength(), "10 * x + y");
            }
        }
        var vocab = V("a", "b");
        var tracr = RaspCompiler.Compile(Program(), Options(vocab, 3, fix: false));
        var fixedModel = RaspCompiler.Compile(Program(), Options(vocab, 3, fix: true));
        float[] BosRow(Assembly.CompiledModel m)
        {
            var x = ReferenceForward.Residuals(m, m.Encode(V("a", "b")))[^1];
            return Enumerable.Range(0, m.ResidualWidth).Select(j => x[0, j]).ToArray();
        }
        Assert.Contains(BosRow(tracr), v => v < -0.5f);
        Assert.DoesNotContain(BosRow(fixedModel), v => v < -0.5f);
        AssertAgreesWithRasp(Program(), Options(vocab, 3, fix: true), [V("a", "b"), V("a", "a", "b"), V("b")]);
    }

    [Fact]
    public void B8_ValidationSkipsSameNamedExpressions()
    {
        SOp Program()
        {
            using (IdScope.Begin())
            {
                // Two unnamed categorical Aggregates with a non-None default, at different depths.
                var inner = Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.EQ), Rasp.Tokens, Value.Int(1));
                return Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.EQ), inner, Value.Int(1));
            }
        }
        Assert.Single(StaticValidator.Validate(Program()));
        Assert.Equal(2, StaticValidator.Validate(Program(), visitEveryExpression: true).Count);
        var e = Assert.Throws<CompilationException>(() => RaspCompiler.Compile(Program(), Options(V(1, 2), 3, fix: true)));
        Assert.Equal(2, e.Message.Split('\n').Count(l => l.Contains("Categorical aggregate only supports None")));
    }

    [Fact]
    public void B14_LabelCollisionsMergeDifferentExpressions()
    {
        SOp Program()
        {
            using (IdScope.Begin())
            {
                var isA = Rasp.Tokens.Eq("a");
                _ = isA.Label; // reading the label first makes the numerical copy share the id
                var numericalIsA = Rasp.Numerical(isA);
                var frac = Rasp.Numerical(Rasp.Aggregate(Rasp.Select(Rasp.Indices, Rasp.Indices, Comparison.LEQ), numericalIsA, Value.Int(0)));
                var half = Rasp.Map(x => Py.Gt(x, Value.Float(0.5)), frac, "x > 0.5");
                return Rasp.SequenceMap((x, y) => Py.And(x, y), half, isA, "x and y");
            }
        }
        var p = Program();
        var labels = Graph.RaspGraph.Extract(p).Nodes.Select(n => n.Label).ToList();
        Assert.Equal(labels.Count, labels.Distinct().Count());
        var separated = Graph.RaspGraph.Extract(Program(), separateLabelCollisions: true).Nodes.Count;
        Assert.True(separated > labels.Count, "fix mode keeps the categorical and numerical copies apart");
        AssertAgreesWithRasp(Program(), Options(V("a", "b"), 4, fix: true), [V("a", "a", "b"), V("b", "a", "a", "a"), V("a")]);
    }

    [Theory]
    [InlineData("frac_prevs_1")]
    [InlineData("reverse")]
    [InlineData("shuffle_dyck2")]
    [InlineData("sort_tokens")]
    [InlineData("count_less_freq_categorical")]
    [InlineData("hist")]
    public void FixModeKeepsTracrsModelWhereTracrIsRight(string id)
    {
        var spec = ProgramRegistry.Get(id);
        CompilerOptions O(bool fix) => spec.Settings with { FixTracrBugs = fix };
        var a = RaspCompiler.Compile(spec.Build(), O(false));
        var b = RaspCompiler.Compile(spec.Build(), O(true));
        Assert.Equal(a.ResidualLabels, b.ResidualLabels);
        Assert.Empty(b.Repairs);
        var pa = Assembly.TracrLayout.Parameters(a);
        var pb = Assembly.TracrLayout.Parameters(b);
        Assert.Equal(pa.Keys, pb.Keys);
        foreach (var k in pa.Keys) Assert.Equal(pa[k], pb[k]);
    }
}
