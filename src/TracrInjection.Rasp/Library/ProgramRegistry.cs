using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Naming;
using TracrInjection.Rasp.Settings;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Library;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// A named RASP program with the compile settings it is meant for (tracr's <c>compile_rasp_to_model</c>
/// arguments). <see cref="Factory"/> builds the program from a fresh <see cref="Lib"/>.
/// </summary>
public sealed record ProgramSpec(
    string Id,
    string Source,
    string Description,
    CompilerOptions Settings,
    Func<Lib, SOp> Factory)
{
    public IReadOnlyList<Value> Vocab => Settings.Vocab;
    public int MaxSeqLen => Settings.MaxSeqLen;
    public bool Causal => Settings.Causal;
    public double MlpExactness => Settings.MlpExactness;
    public string CompilerBos => Settings.CompilerBos;
    public string CompilerPad => Settings.CompilerPad;

    /// <summary>
    /// Builds the program as a fresh Python process would: a new id counter (labels drawn later, breadth-first
    /// from the output, start at 1) and a new <see cref="Lib"/> (fresh shared <c>lib.length</c>).
    /// </summary>
    public SOp Build()
    {
        using (IdScope.Begin())
        {
            return Factory(new Lib());
        }
    }

    /// <summary>
    /// For tracr's UNSUPPORTED_TEST_CASES: the stage and error tracr raises when compiling this program
    /// (e.g. <c>NotImplementedError</c>); null for programs that compile.
    /// </summary>
    public string? ExpectedCompileError { get; init; }
}

/// <summary>
/// Every program the project knows by id: the golden programs (<c>shared/golden/&lt;id&gt;.json</c>), the
/// held-out programs (<c>HELDOUT-PROGRAMS.md</c>), the rest of tracr's lib/test cases, and the paper's three
/// programs. Settings follow the golden <c>compile_config</c> / held-out table exactly.
/// </summary>
public static class ProgramRegistry
{
    private const string Bos = CompilerOptions.DefaultBos;
    private const string Pad = CompilerOptions.DefaultPad;

    private static readonly Lazy<IReadOnlyList<ProgramSpec>> AllLazy = new(BuildAll);
    private static readonly Lazy<IReadOnlyList<ProgramSpec>> UnsupportedLazy = new(BuildUnsupported);
    private static readonly Lazy<Dictionary<string, ProgramSpec>> ById = new(() =>
        AllLazy.Value.Concat(UnsupportedLazy.Value).ToDictionary(p => p.Id, StringComparer.Ordinal));

    /// <summary>Every compilable program, in a stable order (golden ones first).</summary>
    public static IReadOnlyList<ProgramSpec> All => AllLazy.Value;

    /// <summary>
    /// tracr's UNSUPPORTED_TEST_CASES (ids <c>unsupported_&lt;testcase_name&gt;</c>): compiling them must raise
    /// <c>NotImplementedError</c> (see <see cref="ProgramSpec.ExpectedCompileError"/>). Not part of
    /// <see cref="All"/>; <see cref="Get"/> and <see cref="TryGet"/> find them.
    /// </summary>
    public static IReadOnlyList<ProgramSpec> Unsupported => UnsupportedLazy.Value;

    public static bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProgramSpec? spec) =>
        ById.Value.TryGetValue(id, out spec);

    /// <summary>The program with this id; <see cref="KeyNotFoundException"/> (listing close ids) if unknown.</summary>
    public static ProgramSpec Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (TryGet(id, out var spec)) return spec;
        var close = ById.Value.Keys
            .Select(k => (Id: k, Score: DidYouMean.Distance(id, k, ignoreCase: true)))
            .Where(t => t.Score <= Math.Max(3, id.Length / 3) || t.Id.Contains(id, StringComparison.OrdinalIgnoreCase)
                        || id.Contains(t.Id, StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => t.Score).ThenBy(t => t.Id, StringComparer.Ordinal)
            .Take(8)
            .Select(t => t.Id)
            .ToList();
        string hint = close.Count > 0
            ? $" Did you mean: {string.Join(", ", close)}?"
            : $" Known ids: {string.Join(", ", All.Select(p => p.Id))}.";
        throw new KeyNotFoundException($"Unknown program id '{id}'.{hint}");
    }

    // ---------------------------------------------------------------------------------------------

    private static Value[] Strs(params string[] xs) => xs.Select(x => (Value)x).ToArray();
    private static Value[] Ints(params int[] xs) => xs.Select(x => (Value)x).ToArray();

    private static ProgramSpec P(string id, string source, string description, Value[] vocab, int maxSeqLen, bool causal,
        Func<Lib, SOp> factory, double mlpExactness = CompilerOptions.DefaultMlpExactness, string bos = Bos, string pad = Pad) =>
        new(id, source, description, new CompilerOptions
        {
            Vocab = vocab, MaxSeqLen = maxSeqLen, Causal = causal, MlpExactness = mlpExactness, CompilerBos = bos, CompilerPad = pad,
        }, factory);

    private static IReadOnlyList<ProgramSpec> BuildAll()
    {
        var abcd = Strs("a", "b", "c", "d");
        var parens5 = Strs("(", ")", "a", "b", "c");
        var list = new List<ProgramSpec>
        {
            // ---- golden programs (shared/golden/<id>.json) ----
            P("frac_prevs_1", "lib.make_frac_prevs / test_cases frac_prevs_1",
                "Running fraction of 'l' tokens: numerical Aggregate(Select(indices, indices, LEQ), numerical(tokens == 'l'), default=0).",
                Strs("e", "h", "l", "o"), 5, false, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq("l"))),
            P("frac_prevs_2", "lib.make_frac_prevs / test_cases frac_prevs_2",
                "Running fraction of '(' tokens: frac_prevs(tokens == '(').",
                parens5, 10, false, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq("("))),
            P("shift_by_one", "lib.shift_by / test_cases shift_by_one",
                "output[i] = tokens[i-1] (Aggregate with select q == k + 1), None at i = 0.",
                abcd, 5, false, lib => lib.ShiftBy(1, Rasp.Tokens)),
            P("detect_pattern_a", "lib.detect_pattern / test_cases detect_pattern_a",
                "detect_pattern(tokens, 'a') = Map(tokens == 'a'): True where the token is 'a'.",
                abcd, 5, false, lib => lib.DetectPattern(Rasp.Tokens, "a")),
            P("detect_pattern_ab", "lib.detect_pattern / test_cases detect_pattern_ab{,_2,_3}",
                "detect_pattern(tokens, 'ab'): shift_by(1, tokens == 'a') and (tokens == 'b'); True at the 'b' of each 'ab', None at 0.",
                Strs("a", "b"), 5, false, lib => lib.DetectPattern(Rasp.Tokens, "ab")),
            P("reverse", "lib.make_reverse / test_cases reverse_1..4",
                "Reverse the tokens: Aggregate(Select(indices, length - indices - 1, EQ), tokens) with length = SelectorWidth(Select(tokens, tokens, TRUE)).",
                abcd, 5, false, lib => lib.MakeReverse(Rasp.Tokens)),
            P("length_categorical", "lib.make_length / test_cases length_categorical_1..3",
                "categorical(make_length()): SelectorWidth(Select(tokens, tokens, TRUE)), categorical output.",
                abcd, 3, false, lib => Rasp.Categorical(lib.MakeLength())),
            P("pair_balance", "lib.make_pair_balance / test_cases pair_balance_1",
                "frac_prevs(tokens == '(') - frac_prevs(tokens == ')') as a numerical LinearSequenceMap(opens, closes, 1, -1).",
                parens5, 10, false, lib => lib.MakePairBalance(Rasp.Tokens, "(", ")")),
            P("shuffle_dyck1", "lib.make_shuffle_dyck(pairs=['()']) (not in test_cases)",
                "make_shuffle_dyck(['()']): True everywhere iff the parentheses are balanced.",
                Strs("(", ")"), 8, false, lib => lib.MakeShuffleDyck(["()"])),
            P("shuffle_dyck2", "lib.make_shuffle_dyck / test_cases shuffle_dyck2_1..3",
                "make_shuffle_dyck(['()', '{}']): True everywhere iff both bracket types are balanced (shuffle-Dyck-2).",
                Strs("(", ")", "{", "}"), 5, false, lib => lib.MakeShuffleDyck(["()", "{}"])),
            P("shuffle_dyck1_len16", "lib.make_shuffle_dyck(pairs=['()']) at max_seq_len 16 (stress)",
                "Same program as shuffle_dyck1 at max_seq_len 16, where tracr's numerical-to-categorical MLPs become inexact near 0.",
                Strs("(", ")"), 16, false, lib => lib.MakeShuffleDyck(["()"])),
            P("hist", "lib.make_hist / test_cases hist",
                "SelectorWidth(Select(tokens, tokens, EQ)): number of occurrences of each position's token.",
                abcd, 5, false, lib => lib.MakeHist()),
            P("sort_unique_tokens", "lib.make_sort_unique / test_cases sort_unique_1",
                "make_sort_unique(vals=tokens, keys=tokens): sorts unique tokens (repeated keys give None).",
                Ints(1, 2, 3, 4), 5, false, lib => lib.MakeSortUnique(Rasp.Tokens, Rasp.Tokens)),
            P("sort_unique_rev_indices", "lib.make_sort_unique / test_cases sort_unique_2",
                "make_sort_unique(vals=tokens, keys=1 - indices): reverses the sequence.",
                abcd, 5, false, lib => lib.MakeSortUnique(Rasp.Tokens, 1 - Rasp.Indices)),
            P("sort_tokens", "lib.make_sort / test_cases sort_1, sort_3",
                "make_sort(tokens, tokens, max_seq_len=5, min_key=1): stable sort, keys made unique as x + i/5.",
                Ints(1, 2, 3, 4), 5, false, lib => lib.MakeSort(Rasp.Tokens, Rasp.Tokens, maxSeqLen: 5, minKey: 1)),
            P("count_less_freq_categorical", "lib.make_count_less_freq / test_cases make_count_less_freq_categorical_1,2",
                "make_count_less_freq(2): number of positions whose token occurs at most twice (categorical).",
                abcd, 6, false, lib => lib.MakeCountLessFreq(2)),
            P("count_a", "lib.make_count / test_cases make_count_1..3",
                "make_count(tokens, 'a'): SelectorWidth(Select(tokens, tokens, k == 'a')), the number of 'a' tokens.",
                Strs("a", "b", "c"), 8, false, lib => lib.MakeCount(Rasp.Tokens, "a")),
            P("nary_sequencemap_1", "lib.make_nary_sequencemap / test_cases make_nary_sequencemap_1",
                "make_nary_sequencemap(x + y - z, tokens, tokens, indices): tuples (t, t, i) via two SequenceMaps, then a Map.",
                Ints(1, 2, 3), 5, false, lib => lib.MakeNarySequenceMap(a => Py.Sub(Py.Add(a[0], a[1]), a[2]), "x + y - z",
                    Rasp.Tokens, Rasp.Tokens, Rasp.Indices)),
            P("frac_prevs_1_causal", "test_cases CAUSAL frac_prevs_1",
                "frac_prevs(tokens == 'l'), causal=True.",
                Strs("e", "h", "l", "o"), 5, true, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq("l"))),
            P("frac_prevs_3_causal", "test_cases CAUSAL frac_prevs_3",
                "frac_prevs(tokens == ')'), causal=True.",
                parens5, 10, true, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq(")"))),
            P("shift_by_one_causal", "test_cases CAUSAL shift_by_one",
                "shift_by(1, tokens), causal=True.",
                abcd, 5, true, lib => lib.ShiftBy(1, Rasp.Tokens)),
            P("shift_by_two_causal", "test_cases CAUSAL shift_by_two",
                "shift_by(2, tokens), causal=True.",
                abcd, 5, true, lib => lib.ShiftBy(2, Rasp.Tokens)),
            P("detect_pattern_a_causal", "test_cases CAUSAL detect_pattern_a",
                "detect_pattern(tokens, 'a'), causal=True.",
                abcd, 5, true, lib => lib.DetectPattern(Rasp.Tokens, "a")),
            P("detect_pattern_abc_causal", "test_cases CAUSAL detect_pattern_abc",
                "detect_pattern(tokens, 'abc'), causal=True.",
                Strs("a", "b", "c"), 6, true, lib => lib.DetectPattern(Rasp.Tokens, "abc")),
            P("selector_width_causal", "test_cases CAUSAL selector_width",
                "SelectorWidth(Select(tokens, tokens, TRUE)), causal=True: the prefix length i+1 under causal evaluation.",
                abcd, 5, true, _ => Rasp.SelectorWidth(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE))),
            P("itest_map", "rasp_to_craft_integration_test 'map'",
                "categorical Map(x + 1, tokens).",
                Ints(0, 1, 2), 3, false, _ => Rasp.Categorical(Rasp.Map(x => Py.Add(x, 1), Rasp.Tokens, "x + 1"))),
            P("itest_sequence_map", "rasp_to_craft_integration_test 'sequence_map'",
                "categorical SequenceMap(x + y, tokens, indices).",
                Ints(0, 1, 2), 3, false, _ => Rasp.Categorical(Rasp.SequenceMap((x, y) => Py.Add(x, y), Rasp.Tokens, Rasp.Indices, "x + y"))),
            P("itest_select_aggregate", "rasp_to_craft_integration_test 'select_aggregate'",
                "Aggregate(Select(tokens, tokens, EQ), Map(lambda x: 1, tokens)).",
                Ints(0, 1, 2), 3, false, _ => Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.EQ),
                    Rasp.Map(x => 1, Rasp.Tokens, "1"))),
            P("paper_int_sum", "tvergara/language-model-repair compile_model/compile_sum_model.py (generate_sum_operation, MAX_DIGITS=4, MAX_LENGTH=16)",
                "Integer addition 'a+b=' with the sum's digits written from the '=' position on (causal); the repository's MAX_DIGITS = 4 version.",
                PaperPrograms.IntSumVocab.ToArray(), 16, true, lib => PaperPrograms.IntSum(lib, maxDigits: 4, maxLength: 16),
                bos: PaperPrograms.Bos, pad: PaperPrograms.Pad),
            P("paper_count", "tvergara/language-model-repair compile_model/compile_count_model.py (generate_count_operation, MAX_LENGTH=120, MAX_DIGITS=3, MLP_EXACTNESS=10000)",
                "Count the 'yes' tokens and write the count's digits from the 'count' token on (causal).",
                PaperPrograms.CountVocab(120).ToArray(), 120, true, lib => PaperPrograms.Count(lib, maxDigits: 3, maxLength: 120),
                mlpExactness: 10000, bos: PaperPrograms.Bos, pad: PaperPrograms.Pad),

            // ---- held-out programs (HELDOUT-PROGRAMS.md) ----
            P("count_less_freq_numerical", "lib.make_count_less_freq / test_cases make_count_less_freq_numerical_1,2",
                "numerical(make_count_less_freq(2)): as count_less_freq_categorical with a numerical final SelectorWidth.",
                abcd, 6, false, lib => Rasp.Numerical(lib.MakeCountLessFreq(2))),
            P("detect_pattern_ab_causal", "test_cases CAUSAL detect_pattern_ab{,_2,_3}",
                "detect_pattern(tokens, 'ab'), causal=True.",
                Strs("a", "b"), 5, true, lib => lib.DetectPattern(Rasp.Tokens, "ab")),
            P("detect_pattern_abc", "lib.detect_pattern / test_cases detect_pattern_abc",
                "shift_by(2, tokens=='a') and shift_by(1, tokens=='b') and tokens=='c' (two SequenceMap ands).",
                Strs("a", "b", "c"), 6, false, lib => lib.DetectPattern(Rasp.Tokens, "abc")),
            P("frac_prevs_2_causal", "test_cases CAUSAL frac_prevs_2",
                "frac_prevs(tokens == '('), causal=True.",
                parens5, 10, true, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq("("))),
            P("frac_prevs_3", "lib.make_frac_prevs / test_cases frac_prevs_3",
                "Running fraction of ')' tokens (numerical mean over key <= query).",
                parens5, 10, false, lib => lib.MakeFracPrevs(Rasp.Tokens.Eq(")"))),
            P("itest_sequence_map_same_input", "rasp_to_craft_integration_test 'sequence_map_with_same_input'",
                "categorical SequenceMap(x + y, tokens, tokens) (both inputs are the same SOp).",
                Ints(0, 1, 2), 3, false, _ => Rasp.Categorical(Rasp.SequenceMap((x, y) => Py.Add(x, y), Rasp.Tokens, Rasp.Tokens, "x + y"))),
            P("length_numerical", "lib.make_length / test_cases length_numerical_1..3",
                "numerical(make_length()): SelectorWidth(Select(tokens, tokens, TRUE)), numerical output.",
                abcd, 3, false, lib => Rasp.Numerical(lib.MakeLength())),
            P("nary_sequencemap_2", "lib.make_nary_sequencemap / test_cases make_nary_sequencemap_2",
                "make_nary_sequencemap(x * y / z, indices, indices, tokens): tuples (i, i, token), then Map(x * y / z).",
                Ints(1, 2, 3), 3, false, lib => lib.MakeNarySequenceMap(a => Py.Div(Py.Mul(a[0], a[1]), a[2]), "x * y / z",
                    Rasp.Indices, Rasp.Indices, Rasp.Tokens)),
            P("paper_shuffle_dyck3", "tvergara/language-model-repair compile_model/compile_dyck.py (shuffle_dyck, MAX_LENGTH=40)",
                "Shuffle-Dyck-3 verdict at each 'compute' token (False elsewhere), from per-type opener/closer counts, diffs and negative-prefix counters (causal).",
                PaperPrograms.DyckVocab.ToArray(), 40, true, lib => PaperPrograms.ShuffleDyck(lib),
                bos: PaperPrograms.Bos, pad: PaperPrograms.Pad),
            P("shift_by_two", "lib.shift_by / test_cases shift_by_two",
                "output[i] = tokens[i-2] (categorical Aggregate with select q == k + 2), None for i < 2.",
                abcd, 5, false, lib => lib.ShiftBy(2, Rasp.Tokens)),
            P("shuffle_dyck2_len12", "lib.make_shuffle_dyck(pairs=['()', '{}']) at max_seq_len 12 (stress)",
                "Same program as shuffle_dyck2, compiled for max_seq_len 12 (numerical MLP discretisation near 0 becomes inexact from 11 on).",
                Strs("(", ")", "{", "}"), 12, false, lib => lib.MakeShuffleDyck(["()", "{}"])),
            P("shuffle_dyck3", "lib.make_shuffle_dyck / test_cases shuffle_dyck3_1..3",
                "make_shuffle_dyck(['()', '{}', '[]']): shuffle-Dyck-3.",
                Strs("(", ")", "[", "]", "{", "}"), 6, false, lib => lib.MakeShuffleDyck(["()", "{}", "[]"])),
            P("sort_freq", "lib.make_sort_freq / test_cases sort_freq",
                "make_sort_freq(max_seq_len=5): tokens sorted by descending frequency, ties in input order.",
                Ints(1, 2, 3, 4), 5, false, lib => lib.MakeSortFreq(5)),
            P("sort_rev_indices", "lib.make_sort / test_cases sort_2",
                "make_sort(vals=tokens, keys=1 - indices, max_seq_len=5, min_key=1): reverses the sequence.",
                abcd, 5, false, lib => lib.MakeSort(Rasp.Tokens, 1 - Rasp.Indices, maxSeqLen: 5, minKey: 1)),

            // ---- the rest of tracr's lib / integration-test programs ----
            P("shuffle_dyck2_named", "lib.make_shuffle_dyck2",
                "make_shuffle_dyck2(): shuffle_dyck2 renamed 'shuffle_dyck2' (same settings as shuffle_dyck2).",
                Strs("(", ")", "{", "}"), 5, false, lib => lib.MakeShuffleDyck2()),
            P("selector_width", "test_cases CAUSAL selector_width, compiled non-causal",
                "SelectorWidth(Select(tokens, tokens, TRUE)) without causal masking: the length at every position.",
                abcd, 5, false, _ => Rasp.SelectorWidth(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE))),
            P("length_categorical_len5", "rasp_to_transformer_integration_test padding cases (categorical make_length, N=5)",
                "categorical(make_length()) at max_seq_len 5, as tracr's padding test compiles it.",
                abcd, 5, false, lib => Rasp.Categorical(lib.MakeLength())),
            P("length_numerical_len5", "rasp_to_transformer_integration_test padding cases (numerical make_length, N=5)",
                "numerical(make_length()) at max_seq_len 5, as tracr's padding test compiles it.",
                abcd, 5, false, lib => Rasp.Numerical(lib.MakeLength())),

            // ---- the paper's variants ----
            P("paper_int_sum_3digit", "tvergara/language-model-repair compile_model/compile_sum_model.py with MAX_DIGITS=3 (the paper's 3-sum-model.dill)",
                "Integer addition as paper_int_sum with MAX_DIGITS = 3: the teacher the paper used (width 660, 21 layers).",
                PaperPrograms.IntSumVocab.ToArray(), 16, true, lib => PaperPrograms.IntSum(lib, maxDigits: 3, maxLength: 16),
                bos: PaperPrograms.Bos, pad: PaperPrograms.Pad),
            P("paper_count_len30", "tvergara/language-model-repair compile_model/compile_count_model.py with MAX_LENGTH=30 (smaller instance, not a paper setting)",
                "paper_count with MAX_LENGTH = 30 (vocab '0'..'29', max_seq_len 30, mlp_exactness 10000): a fast stand-in for the 120-token teacher.",
                PaperPrograms.CountVocab(30).ToArray(), 30, true, lib => PaperPrograms.Count(lib, maxDigits: 3, maxLength: 30),
                mlpExactness: 10000, bos: PaperPrograms.Bos, pad: PaperPrograms.Pad),
        };
        return list.AsReadOnly();
    }

    private static IReadOnlyList<ProgramSpec> BuildUnsupported()
    {
        var vocab = Ints(1, 2, 3);
        ProgramSpec U(string name, string description, string error, Func<Lib, SOp> factory) =>
            P("unsupported_" + name, "test_cases UNSUPPORTED_TEST_CASES " + name, description, vocab, 5, true, factory)
                with { ExpectedCompileError = error };
        const string Static = "static_validate: NotImplementedError: Unsupported RASP expressions:\n";
        return new List<ProgramSpec>
        {
            U("numerical_categorical_aggregate",
                "Aggregate(Select(tokens, tokens, TRUE), numerical(Map(x, tokens))): categorical Aggregate of a numerical SOp.",
                Static + "aggregate: An aggregate's output encoding must match its input encoding. Input: Encoding.CATEGORICAL   Output: Encoding.NUMERICAL  ",
                _ => Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE),
                    Rasp.Numerical(Rasp.Map(x => x, Rasp.Tokens, "x")))),
            U("categorical_numerical_aggregate",
                "numerical(Aggregate(Select(tokens, tokens, TRUE), tokens)): numerical Aggregate of a categorical SOp.",
                Static + "aggregate: An aggregate's output encoding must match its input encoding. Input: Encoding.NUMERICAL   Output: Encoding.CATEGORICAL  ",
                _ => Rasp.Numerical(Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE), Rasp.Tokens))),
            U("numerical_numerical_aggregate",
                "numerical(Aggregate(Select(tokens, tokens, TRUE), numerical(Map(x, tokens)), default=0)) over non-binary values {1, 2, 3}.",
                "infer_bases: NotImplementedError: ('Attention patterns can currently only average binary variables. Not:', {1, 2, 3})",
                _ => Rasp.Numerical(Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE),
                    Rasp.Numerical(Rasp.Map(x => x, Rasp.Tokens, "x")), 0))),
            U("aggregate_with_not_None_default",
                "numerical(Aggregate(Select(indices, indices, EQ), tokens, default=1)).",
                Static + "aggregate: An aggregate's output encoding must match its input encoding. Input: Encoding.NUMERICAL   Output: Encoding.CATEGORICAL  ",
                _ => Rasp.Numerical(Rasp.Aggregate(Rasp.Select(Rasp.Indices, Rasp.Indices, Comparison.EQ), Rasp.Tokens, 1))),
            U("numerical_selector",
                "SelectorWidth(Select(numerical(Map(x, tokens)), numerical(Map(x, tokens)), LT)): numerical Select keys.",
                Static + "select: Select keys must be categorical.",
                _ => Rasp.SelectorWidth(Rasp.Select(Rasp.Numerical(Rasp.Map(x => x, Rasp.Tokens, "x")),
                    Rasp.Numerical(Rasp.Map(x => x, Rasp.Tokens, "x")), Comparison.LT))),
            U("numerical_SequenceMap",
                "numerical(SequenceMap(x + y, numerical(Map(x, indices)), numerical(Map(x, tokens)))).",
                Static + "sequence_map: (Non-linear) SequenceMap only supports categorical inputs/outputs.",
                _ => Rasp.Numerical(Rasp.SequenceMap((x, y) => Py.Add(x, y),
                    Rasp.Numerical(Rasp.Map(x => x, Rasp.Indices, "x")), Rasp.Numerical(Rasp.Map(x => x, Rasp.Tokens, "x")), "x + y"))),
            U("categorical_LinearSequenceMap",
                "categorical(LinearSequenceMap(categorical(indices), categorical(tokens), 1, 1)).",
                Static + "linear_sequence_map: LinearSequenceMap only supports numerical inputs/outputs.",
                _ => Rasp.Categorical(new LinearSequenceMap(Rasp.Categorical(Rasp.Indices), Rasp.Categorical(Rasp.Tokens), 1, 1))),
            U("numerical_tokens", "numerical(tokens).",
                Static + "tokens: tokens should always be categorical.",
                _ => Rasp.Numerical(Rasp.Tokens)),
            U("numerical_indices", "numerical(indices).",
                Static + "indices: tokens should always be categorical.",
                _ => Rasp.Numerical(Rasp.Indices)),
        }.AsReadOnly();
    }
}
