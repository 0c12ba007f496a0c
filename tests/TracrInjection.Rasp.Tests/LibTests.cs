using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// tracr's <c>lib_test</c>: every TEST case evaluated with the RASP evaluator and every CAUSAL case with the
/// causal evaluator must equal the expected output under Python <c>==</c> (spec §13.2), using the registered
/// programs. Also checks the copy in <c>tracr-test-cases.json</c> and construction details of the library.
/// </summary>
public class LibTests
{
    private static Value[] S(string chars) => chars.Select(c => (Value)c.ToString()).ToArray();
    private static Value[] I(params int[] xs) => xs.Select(x => (Value)x).ToArray();
    private static Value[] V(params object?[] xs) => xs.Select(x => x switch
    {
        null => Value.None,
        int i => Value.Int(i),
        double d => Value.Float(d),
        bool b => Value.Bool(b),
        string s => Value.Str(s),
        _ => throw new ArgumentException(x.ToString()),
    }).ToArray();
    private static Value[] Rep(object x, int n) => V(Enumerable.Repeat(x, n).ToArray());

    /// <summary>(tracr test-case name, registry id, input, expected output) for TEST_CASES (spec §13.2 #1-43).</summary>
    public static TheoryData<string, string, Value[], Value[]> TestCases => new()
    {
        { "frac_prevs_1", "frac_prevs_1", S("hello"), V(0.0, 0.0, 1 / 3.0, 1 / 2.0, 2 / 5.0) },
        { "frac_prevs_2", "frac_prevs_2", S("a()b(c))"), V(0.0, 1 / 2.0, 1 / 3.0, 1 / 4.0, 2 / 5.0, 2 / 6.0, 2 / 7.0, 2 / 8.0) },
        { "frac_prevs_3", "frac_prevs_3", S("a()b(c))"), V(0.0, 0.0, 1 / 3.0, 1 / 4.0, 1 / 5.0, 1 / 6.0, 2 / 7.0, 3 / 8.0) },
        { "shift_by_one", "shift_by_one", S("abcd"), V(null, "a", "b", "c") },
        { "shift_by_two", "shift_by_two", S("abcd"), V(null, null, "a", "b") },
        { "detect_pattern_a", "detect_pattern_a", S("bacd"), V(false, true, false, false) },
        { "detect_pattern_ab", "detect_pattern_ab", S("aaba"), V(null, false, true, false) },
        { "detect_pattern_ab_2", "detect_pattern_ab", S("abaa"), V(null, true, false, false) },
        { "detect_pattern_ab_3", "detect_pattern_ab", S("aaaa"), V(null, false, false, false) },
        { "detect_pattern_abc", "detect_pattern_abc", S("abcabc"), V(null, null, true, false, false, true) },
        { "reverse_1", "reverse", S("abcd"), S("dcba") },
        { "reverse_2", "reverse", S("abc"), S("cba") },
        { "reverse_3", "reverse", S("ad"), S("da") },
        { "reverse_4", "reverse", S("c"), S("c") },
        { "length_categorical_1", "length_categorical", S("abc"), I(3, 3, 3) },
        { "length_categorical_2", "length_categorical", S("ad"), I(2, 2) },
        { "length_categorical_3", "length_categorical", S("c"), I(1) },
        { "length_numerical_1", "length_numerical", S("abc"), I(3, 3, 3) },
        { "length_numerical_2", "length_numerical", S("ad"), I(2, 2) },
        { "length_numerical_3", "length_numerical", S("c"), I(1) },
        { "pair_balance_1", "pair_balance", S("a()b(c))"), V(0.0, 1 / 2.0, 0.0, 0.0, 1 / 5.0, 1 / 6.0, 0.0, -1 / 8.0) },
        { "shuffle_dyck2_1", "shuffle_dyck2", S("({)}"), I(1, 1, 1, 1) },
        { "shuffle_dyck2_2", "shuffle_dyck2", S("(){)}"), I(0, 0, 0, 0, 0) },
        { "shuffle_dyck2_3", "shuffle_dyck2", S("{}("), I(0, 0, 0) },
        { "shuffle_dyck3_1", "shuffle_dyck3", S("({)[}]"), I(1, 1, 1, 1, 1, 1) },
        { "shuffle_dyck3_2", "shuffle_dyck3", S("(){)}"), I(0, 0, 0, 0, 0) },
        { "shuffle_dyck3_3", "shuffle_dyck3", S("{}[(]"), I(0, 0, 0, 0, 0) },
        { "hist", "hist", S("abac"), I(2, 1, 2, 1) },
        { "sort_unique_1", "sort_unique_tokens", I(2, 4, 3, 1), I(1, 2, 3, 4) },
        { "sort_unique_2", "sort_unique_rev_indices", S("abcd"), S("dcba") },
        { "sort_1", "sort_tokens", I(2, 4, 3, 1), I(1, 2, 3, 4) },
        { "sort_2", "sort_rev_indices", S("abcd"), S("dcba") },
        { "sort_3", "sort_tokens", I(2, 4, 1, 2), I(1, 2, 2, 4) },
        { "sort_freq", "sort_freq", I(2, 4, 2, 1), I(2, 2, 4, 1) },
        { "make_count_less_freq_categorical_1", "count_less_freq_categorical", S("aaabbc"), Rep(3, 6) },
        { "make_count_less_freq_categorical_2", "count_less_freq_categorical", S("aacbbc"), Rep(6, 6) },
        { "make_count_less_freq_numerical_1", "count_less_freq_numerical", S("aaabbc"), Rep(3, 6) },
        { "make_count_less_freq_numerical_2", "count_less_freq_numerical", S("aacbbc"), Rep(6, 6) },
        { "make_count_1", "count_a", S("aaabbc"), Rep(3, 6) },
        { "make_count_2", "count_a", S("cabc"), Rep(1, 4) },
        { "make_count_3", "count_a", S("bbc"), Rep(0, 3) },
        { "make_nary_sequencemap_1", "nary_sequencemap_1", I(1, 2, 3), I(2, 3, 4) },
        { "make_nary_sequencemap_2", "nary_sequencemap_2", I(1, 2, 3), V(0.0, 1 / 2.0, 4 / 3.0) },
    };

    /// <summary>CAUSAL_TEST_CASES: the universal cases 1-10 plus selector_width, under the causal evaluator.</summary>
    public static TheoryData<string, string, Value[], Value[]> CausalCases => new()
    {
        { "frac_prevs_1", "frac_prevs_1_causal", S("hello"), V(0.0, 0.0, 1 / 3.0, 1 / 2.0, 2 / 5.0) },
        { "frac_prevs_2", "frac_prevs_2_causal", S("a()b(c))"), V(0.0, 1 / 2.0, 1 / 3.0, 1 / 4.0, 2 / 5.0, 2 / 6.0, 2 / 7.0, 2 / 8.0) },
        { "frac_prevs_3", "frac_prevs_3_causal", S("a()b(c))"), V(0.0, 0.0, 1 / 3.0, 1 / 4.0, 1 / 5.0, 1 / 6.0, 2 / 7.0, 3 / 8.0) },
        { "shift_by_one", "shift_by_one_causal", S("abcd"), V(null, "a", "b", "c") },
        { "shift_by_two", "shift_by_two_causal", S("abcd"), V(null, null, "a", "b") },
        { "detect_pattern_a", "detect_pattern_a_causal", S("bacd"), V(false, true, false, false) },
        { "detect_pattern_ab", "detect_pattern_ab_causal", S("aaba"), V(null, false, true, false) },
        { "detect_pattern_ab_2", "detect_pattern_ab_causal", S("abaa"), V(null, true, false, false) },
        { "detect_pattern_ab_3", "detect_pattern_ab_causal", S("aaaa"), V(null, false, false, false) },
        { "detect_pattern_abc", "detect_pattern_abc_causal", S("abcabc"), V(null, null, true, false, false, true) },
        { "selector_width", "selector_width_causal", S("abcd"), I(1, 2, 3, 4) },
    };

    [Theory, MemberData(nameof(TestCases))]
    public void Test_case_produces_expected_output(string caseName, string id, Value[] input, Value[] expected)
    {
        var spec = ProgramRegistry.Get(id);
        Assert.False(spec.Causal);
        Assert.True(input.Length <= spec.MaxSeqLen);
        var actual = RaspEvaluator.Evaluate(spec.Build(), input);
        PyAssert.SequenceSame(expected, actual, caseName, tol: 0, strictTypes: false);
    }

    [Theory, MemberData(nameof(CausalCases))]
    public void Causal_test_case_produces_expected_output(string caseName, string id, Value[] input, Value[] expected)
    {
        var spec = ProgramRegistry.Get(id);
        Assert.True(spec.Causal);
        var actual = RaspEvaluator.Evaluate(spec.Build(), input, causal: true);
        PyAssert.SequenceSame(expected, actual, caseName + " (causal)", tol: 0, strictTypes: false);
    }

    /// <summary>The cases recorded in <c>tracr-test-cases.json</c> (held-out ones removed there) agree too.</summary>
    [Fact]
    public void Recorded_tracr_test_cases_agree()
    {
        var byName = new Dictionary<(string, string), string>();
        foreach (var row in TestCases) byName[("TEST", (string)row[0])] = (string)row[1];
        foreach (var row in CausalCases) byName[("CAUSAL", (string)row[0])] = (string)row[1];

        int n = 0;
        foreach (var c in GoldenJson.File_("tracr-test-cases.json").GetProperty("cases").EnumerateArray())
        {
            string suite = c.GetProperty("suite").GetString()!;
            if (suite is not ("TEST" or "CAUSAL")) continue;
            string name = c.GetProperty("name").GetString()!;
            Assert.True(byName.TryGetValue((suite, name), out var id), $"{suite} {name} not mapped");
            var spec = ProgramRegistry.Get(id);
            Assert.Equal(GoldenJson.ToValues(c.GetProperty("vocab")), spec.Vocab);
            Assert.Equal(c.GetProperty("max_seq_len").GetInt32(), spec.MaxSeqLen);
            var input = GoldenJson.ToValues(c.GetProperty("input"));
            var expected = GoldenJson.ToValues(c.GetProperty("expected"));
            var actual = RaspEvaluator.Evaluate(spec.Build(), input, suite == "CAUSAL");
            PyAssert.SequenceSame(expected, actual, $"{suite} {name}", tol: 0, strictTypes: false);
            n++;
        }
        Assert.True(n >= 30, $"{n} cases");
    }

    // ---------------------------------------------------------------------------------------------
    // Construction details

    [Fact]
    public void Length_is_shared_within_a_lib_and_fresh_per_lib()
    {
        var lib = new Lib();
        Assert.Same(lib.Length, lib.Length);
        Assert.NotSame(lib.Length, new Lib().Length);
        Assert.NotSame(lib.Length, lib.MakeLength());

        var reverse = (Aggregate)lib.MakeReverse(Rasp.Tokens);
        var dyck = lib.MakeShuffleDyck(["()"]);
        var reverseLength = ExtractionOrder.Nodes(reverse).Single(n => n.Expr.Name == "length").Expr;
        var dyckLength = ExtractionOrder.Nodes(dyck).Single(n => n.Expr.Name == "length").Expr;
        Assert.Same(lib.Length, reverseLength);
        Assert.Same(lib.Length, dyckLength);
    }

    [Fact]
    public void Names_follow_tracr()
    {
        var lib = new Lib();
        Assert.Equal("count_a", lib.MakeCount(Rasp.Tokens, "a").Name);
        Assert.Equal("count_3", lib.MakeCount(Rasp.Tokens, 3).Name);
        Assert.Equal("shift_by(3)", lib.ShiftBy(3, Rasp.Tokens).Name);
        Assert.Equal("detect_pattern(abc)", lib.DetectPattern(Rasp.Tokens, "abc").Name);
        Assert.Equal("detect_pattern([1, 2])", lib.DetectPattern(Rasp.Tokens, I(1, 2)).Name);
        Assert.Equal("detect_pattern(['a', 'b'])", lib.DetectPattern(Rasp.Tokens, S("ab")).Name);
        Assert.Equal("shuffle_dyck2", lib.MakeShuffleDyck2().Name);
        Assert.Equal("sort_freq", lib.MakeSortFreq(5).Name);
        Assert.Equal("frac_prevs", lib.MakeFracPrevs(Rasp.Tokens.Eq("a")).Name);
        Assert.True(lib.MakeFracPrevs(Rasp.Tokens.Eq("a")).IsNumerical);
        Assert.True(lib.MakePairBalance(Rasp.Tokens, "(", ")").IsNumerical);
        Assert.IsType<LinearSequenceMap>(lib.MakePairBalance(Rasp.Tokens, "(", ")"));
    }

    [Fact]
    public void Invalid_arguments_raise_like_tracr()
    {
        var lib = new Lib();
        var ex = Assert.Throws<PyValueError>(() => lib.DetectPattern(Rasp.Tokens, ""));
        Assert.Equal("Length of `pattern` must be at least 1. Got ", ex.Message);
        Assert.Throws<ArgumentException>(() => lib.MakeShuffleDyck([]));
        Assert.Throws<ArgumentException>(() => lib.MakeShuffleDyck(["(]]"]));
    }

    [Fact]
    public void Map_of_map_fuses_where_tracr_fuses()
    {
        var lib = new Lib();
        // One pair: any_negative = numerical(Map(x, balance < 0)) fuses into one Map over the balance.
        var dyck1 = lib.MakeShuffleDyck(["()"]);
        var anyNeg1 = (Map)ExtractionOrder.Nodes(dyck1).Single(n => n.Expr.Name == "any_negative").Expr;
        Assert.Equal("balance_()", anyNeg1.Inner.Name);
        Assert.True(anyNeg1.IsNumerical);
        Assert.Equal(Value.True, anyNeg1.F(-0.5));
        Assert.Equal(Value.False, anyNeg1.F(0.0));
        // Two pairs: the inner is a SequenceMap (x or y), so no fusion.
        var dyck2 = new Lib().MakeShuffleDyck(["()", "{}"]);
        var anyNeg2 = (Map)ExtractionOrder.Nodes(dyck2).Single(n => n.Expr.Name == "any_negative").Expr;
        Assert.IsType<SequenceMap>(anyNeg2.Inner);

        // sort_freq: -1 * hist is an unnamed Map over the renamed hist SelectorWidth.
        var sortFreq = lib.MakeSortFreq(5);
        var keys = (SequenceMap)ExtractionOrder.Nodes(sortFreq).Single(n => n.Expr is SequenceMap).Expr;
        var negHist = Assert.IsType<Map>(keys.Fst);
        Assert.Equal("map", negHist.Name);
        Assert.Equal("hist", negHist.Inner.Name);
        Assert.Equal(-2, negHist.F(2).AsLong);
    }

    [Fact]
    public void Numerical_annotation_makes_copies()
    {
        var lib = new Lib();
        var bools = Rasp.Tokens.Eq("a");
        var frac = (Aggregate)lib.MakeFracPrevs(bools);
        Assert.NotSame(bools, frac.Sop);
        Assert.True(frac.Sop.IsNumerical);
        Assert.False(bools.IsNumerical);
        Assert.Equal(Value.Int(0), frac.Default);
    }

    [Fact]
    public void Nary_sequencemap_builds_tuples()
    {
        var lib = new Lib();
        var m = (Map)lib.MakeNarySequenceMap(a => Value.Tuple([.. a]), Rasp.Tokens, Rasp.Indices, Rasp.Tokens);
        var r = RaspEvaluator.Evaluate(m, S("xy"));
        Assert.Equal("('x', 0, 'x')", r[0].ToString());
        Assert.Equal("('y', 1, 'y')", r[1].ToString());
        var inner = Assert.IsType<SequenceMap>(m.Inner);
        Assert.Equal("(1, 2)", inner.F(Value.Tuple(1), 2).ToString());
        Assert.Equal("(1, 2, 3)", inner.F(Value.Tuple(1, 2), 3).ToString());
        Assert.Equal("(1, 2)", inner.F(1, 2).ToString());
    }
}
