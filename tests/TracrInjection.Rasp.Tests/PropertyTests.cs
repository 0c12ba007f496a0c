using CsCheck;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>Random-input properties of the library and the paper programs (CsCheck), against plain C# oracles.</summary>
public class PropertyTests
{
    private static Value[] Tokens(IEnumerable<string> xs) => xs.Select(x => (Value)x).ToArray();
    private static Value[] Chars(char[] cs) => cs.Select(c => (Value)c.ToString()).ToArray();

    private static SOp Build(Func<Lib, SOp> f)
    {
        using (IdScope.Begin()) return f(new Lib());
    }

    [Fact]
    public void Reverse_of_reverse_is_identity_and_reverse_reverses()
    {
        var twice = Build(lib => lib.MakeReverse(lib.MakeReverse(Rasp.Tokens)));
        var once = Build(lib => lib.MakeReverse(Rasp.Tokens));
        Gen.Char["abcd"].Array[1, 10].Sample(cs =>
        {
            var xs = Chars(cs);
            Assert.Equal(xs, RaspEvaluator.Evaluate(twice, xs));
            Assert.Equal(xs.Reverse(), RaspEvaluator.Evaluate(once, xs));
        }, iter: 200);
    }

    [Fact]
    public void Hist_counts_occurrences()
    {
        var hist = Build(lib => lib.MakeHist());
        Gen.Char["abcd"].Array[1, 12].Sample(cs =>
        {
            var actual = RaspEvaluator.Evaluate(hist, Chars(cs));
            for (int i = 0; i < cs.Length; i++)
            {
                Assert.Equal(ValueKind.Int, actual[i].Kind);
                Assert.Equal(cs.Count(c => c == cs[i]), actual[i].AsLong);
            }
        }, iter: 200);
    }

    [Fact]
    public void Sort_is_a_stable_sort_of_small_ints()
    {
        const int n = 5;
        var sort = Build(lib => lib.MakeSort(Rasp.Tokens, Rasp.Tokens, maxSeqLen: n, minKey: 1));
        Gen.Int[1, 4].Array[1, n].Sample(xs =>
        {
            var actual = RaspEvaluator.Evaluate(sort, xs.Select(x => (Value)x).ToArray());
            Assert.Equal(xs.Order().Select(x => (Value)x), actual);
        }, iter: 200);
    }

    [Fact]
    public void Frac_prevs_is_the_running_mean()
    {
        var frac = Build(lib => lib.MakeFracPrevs(Rasp.Tokens.Eq("a")));
        Gen.Char["ab"].Array[1, 10].Sample(cs =>
        {
            var actual = RaspEvaluator.Evaluate(frac, Chars(cs));
            var causal = RaspEvaluator.Evaluate(frac, Chars(cs), causal: true);
            for (int i = 0; i < cs.Length; i++)
            {
                double want = cs.Take(i + 1).Count(c => c == 'a') / (double)(i + 1);
                Assert.Equal(want, actual[i].AsDouble, 12);
                Assert.Equal(want, causal[i].AsDouble, 12);
            }
        }, iter: 200);
    }

    private static bool ShuffleDyckBalanced(IReadOnlyList<string> tokens, IEnumerable<(string Open, string Close)> pairs)
    {
        foreach (var (open, close) in pairs)
        {
            int balance = 0;
            foreach (var t in tokens)
            {
                if (t == open) balance++;
                else if (t == close && --balance < 0) return false;
            }
            if (balance != 0) return false;
        }
        return true;
    }

    [Fact]
    public void Lib_shuffle_dyck_matches_the_oracle()
    {
        var dyck = Build(lib => lib.MakeShuffleDyck(["()", "{}"]));
        Gen.Char["(){}"].Array[1, 8].Sample(cs =>
        {
            var xs = cs.Select(c => c.ToString()).ToArray();
            bool want = ShuffleDyckBalanced(xs, [("(", ")"), ("{", "}")]);
            var actual = RaspEvaluator.Evaluate(dyck, Tokens(xs));
            Assert.All(actual, v => Assert.Equal(Value.Bool(want), v));
        }, iter: 300);
    }

    [Fact]
    public void Paper_dyck_answers_at_compute_tokens()
    {
        var spec = ProgramRegistry.Get("paper_shuffle_dyck3");
        var program = spec.Build();
        var gen = Gen.OneOf("(", ")", "[", "]", "{", "}", "(", ")", " ", "compute").Array[1, 30];
        gen.Sample(xs =>
        {
            var actual = RaspEvaluator.Evaluate(program, Tokens(xs), causal: true);
            for (int p = 0; p < xs.Length; p++)
            {
                bool want = xs[p] == "compute" && ShuffleDyckBalanced(xs[..(p + 1)], [("(", ")"), ("{", "}"), ("[", "]")]);
                Assert.Equal(ValueKind.Bool, actual[p].Kind);
                Assert.True(Value.Bool(want).Equals(actual[p]), $"position {p} of [{string.Join(",", xs)}]: {actual[p]}");
            }
        }, iter: 300);
    }

    [Fact]
    public void Paper_count_writes_the_count_digits()
    {
        var program = ProgramRegistry.Get("paper_count").Build();
        Gen.Select(Gen.Bool.Array[0, 60], Gen.Bool).Sample((bits, _) =>
        {
            int count = bits.Count(b => b);
            var digits = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var xs = bits.Select(b => b ? "yes" : "no").Append("count").Concat(digits.Select(c => c.ToString())).ToArray();
            var actual = RaspEvaluator.Evaluate(program, Tokens(xs), causal: true);
            int at = bits.Length;
            for (int k = 0; k < digits.Length; k++)
                Assert.True(Value.Int(digits[k] - '0').Equals(actual[at + k]), $"digit {k} of {count}: {actual[at + k]}");
        }, iter: 60);
    }

    [Theory]
    [InlineData("paper_int_sum", 4)]
    [InlineData("paper_int_sum_3digit", 3)]
    public void Paper_int_sum_writes_the_sum_digits(string id, int maxDigits)
    {
        var spec = ProgramRegistry.Get(id);
        var program = spec.Build();
        var lenient = NoneUnselected.Rewrite(program);
        int limit = (int)Math.Pow(10, maxDigits);
        Gen.Select(Gen.Int[0, limit - 1], Gen.Int[0, limit - 1]).Where((a, b) => a + b < limit).Sample((a, b) =>
        {
            string sa = a.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string sb = b.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string sum = (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var xs = (sa + "+" + sb + "=" + sum).Select(c => c.ToString()).ToArray();
            Assert.True(xs.Length <= spec.MaxSeqLen);
            // tracr's own evaluator raises here (None key in a Comparison.EQ Select at position 0).
            var ex = Assert.Throws<PyValueError>(() => RaspEvaluator.Evaluate(program, Tokens(xs), causal: true));
            Assert.Equal("key is None!", ex.Message);
            var actual = RaspEvaluator.Evaluate(lenient, Tokens(xs), causal: true);
            int at = sa.Length + 1 + sb.Length;
            for (int k = 0; k < sum.Length; k++)
                Assert.True(Value.Int(sum[k] - '0').Equals(actual[at + k]), $"{a}+{b}: digit {k} = {actual[at + k]}");
        }, iter: 150);
    }
}
