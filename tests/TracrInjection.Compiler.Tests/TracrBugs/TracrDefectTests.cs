using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.TracrBugs;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// Issue 11: tracr mode names every expression where the model will disagree with RASP (from the checks behind fix
/// mode's repairs), with the smallest value where it bites; fix mode, which repairs them, names none.
/// </summary>
public class TracrDefectTests
{
    private static CompilerOptions Options(IEnumerable<Value> vocab, int n, bool fix) =>
        new() { Vocab = vocab.ToArray(), MaxSeqLen = n, FixTracrBugs = fix };

    private static (IReadOnlyList<TracrDefect> Tracr, IReadOnlyList<TracrDefect> Fix, string Label) Both(Func<SOp> program, Value[] vocab, int n)
    {
        var p = program();
        var tracr = RaspCompiler.Compile(p, Options(vocab, n, fix: false)).TracrDefects;
        var fix = RaspCompiler.Compile(program(), Options(vocab, n, fix: true)).TracrDefects;
        return (tracr, fix, p.Label);
    }

    [Fact]
    public void B2_NumericalMeanValueSet()
    {
        SOp Program()
        {
            using (IdScope.Begin())
                return Rasp.Numerical(Rasp.Map(x => Py.Mul(x, Value.Int(2)), new Lib().MakeFracPrevs(Rasp.Tokens.Eq("x")), "2 * x"));
        }
        var (tracr, fix, label) = Both(Program, [Value.Str("x"), Value.Str("y")], 3);
        var d = Assert.Single(tracr, d => d.Bug == "B2");
        Assert.Equal(label, d.Label);
        Assert.Contains("wrong at input value 0.6666666666666666", d.Message);
        Assert.Empty(fix);
    }

    [Fact]
    public void B3_ClippedNegatives()
    {
        SOp Program() { using (IdScope.Begin()) return Rasp.Numerical(Rasp.Map(x => Py.Neg(x), Rasp.Tokens, "-x")); }
        var (tracr, fix, label) = Both(Program, [Value.Int(1), Value.Int(2)], 3);
        var d = Assert.Single(tracr);
        Assert.Equal(("B3", label), (d.Bug, d.Label));
        Assert.Contains("wrong at input value 1 (RASP gives -1)", d.Message);
        Assert.EndsWith("(tracr bug B3; --fix-tracr-bugs repairs it)", d.ToString());
        Assert.Empty(fix);
    }

    [Fact]
    public void B4_SelectorWidthMiscountsFromTheLengthItFails()
    {
        // TracrBugFixTests.B4: tracr decodes length 10 as 9 at N = 16.
        SOp Program() { using (IdScope.Begin()) return new Lib().MakeLength(); }
        var (tracr, fix, label) = Both(Program, [Value.Str("a"), Value.Str("b")], 16);
        var d = Assert.Single(tracr);
        Assert.Equal(("B4/B5", label), (d.Bug, d.Label));
        Assert.Contains("wrong from width 10 (an input of 10 or more tokens)", d.Message);
        Assert.Empty(fix);
        // At N = 5 every width decodes: nothing to say.
        Assert.Empty(RaspCompiler.Compile(Program(), Options([Value.Str("a"), Value.Str("b")], 5, fix: false)).TracrDefects);
    }

    [Fact]
    public void B6_SharedBosCleanUp()
    {
        SOp Program()
        {
            using (IdScope.Begin())
            {
                var lib = new Lib();
                return Rasp.SequenceMap((x, y) => Py.Add(Py.Mul(Value.Int(10), x), y), lib.MakeHist(), lib.MakeLength(), "10 * x + y");
            }
        }
        var (tracr, fix, _) = Both(Program, [Value.Str("a"), Value.Str("b")], 3);
        Assert.Equal(2, tracr.Count(d => d.Bug == "B6"));
        Assert.Empty(fix);
    }

    [Theory]
    [InlineData("reverse")]
    [InlineData("sort_tokens")]
    [InlineData("hist")]
    [InlineData("frac_prevs_1")]
    public void ProgramsTracrGetsRightAreSilent(string id)
    {
        var spec = ProgramRegistry.Get(id);
        Assert.Empty(RaspCompiler.Compile(spec.Build(), spec.Settings).TracrDefects);
    }
}
