using System.Text.Json;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

/// <summary>
/// Every golden program (<c>shared/golden/&lt;id&gt;.json</c>) against its registered C# construction: compile
/// settings, the breadth-first label list, each node's op/name/encoding/inputs/lambda tables, and RASP
/// evaluation on every recorded input.
/// </summary>
public class GoldenProgramTests
{
    public static TheoryData<string> Ids => new(GoldenFiles.ProgramIds());

    [Fact]
    public void Golden_folder_has_the_expected_programs()
    {
        var ids = GoldenFiles.ProgramIds();
        Assert.Contains("reverse", ids);
        Assert.Contains("paper_int_sum", ids);
        Assert.Contains("paper_count", ids);
        Assert.True(ids.Count >= 30, $"only {ids.Count} golden programs found in {GoldenFiles.Directory}");
    }

    [Theory, MemberData(nameof(Ids))]
    public void Registered_with_the_golden_compile_config(string id)
    {
        var g = GoldenJson.Program(id);
        Assert.Equal(id, g.GetProperty("program_id").GetString());
        var spec = ProgramRegistry.Get(id);
        var cfg = g.GetProperty("compile_config");
        var vocab = GoldenJson.ToValues(cfg.GetProperty("vocab"));
        Assert.Equal(vocab.Length, spec.Vocab.Count);
        for (int i = 0; i < vocab.Length; i++)
            Assert.True(PyAssert.Same(spec.Vocab[i], vocab[i]), $"vocab[{i}]: {spec.Vocab[i].Repr()} vs golden {vocab[i].Repr()}");
        Assert.Equal(cfg.GetProperty("max_seq_len").GetInt32(), spec.MaxSeqLen);
        Assert.Equal(cfg.GetProperty("compiler_bos").GetString(), spec.CompilerBos);
        Assert.Equal(cfg.GetProperty("compiler_pad").GetString(), spec.CompilerPad);
        Assert.Equal(cfg.GetProperty("causal").GetBoolean(), spec.Causal);
        Assert.Equal(cfg.GetProperty("mlp_exactness").GetDouble(), spec.MlpExactness);
        Assert.Equal(g.GetProperty("source").GetString(), spec.Source);
    }

    /// <summary>Spec §3.2 walk: labels in node-insertion order must equal the golden <c>rasp_nodes</c> labels.</summary>
    [Theory, MemberData(nameof(Ids))]
    public void Breadth_first_labels_match_golden(string id)
    {
        var g = GoldenJson.Program(id);
        var expected = g.GetProperty("rasp_nodes").EnumerateArray().Select(n => n.GetProperty("label").GetString()!).ToList();
        var program = ProgramRegistry.Get(id).Build();
        var actual = ExtractionOrder.Nodes(program).Select(n => n.Label).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(g.GetProperty("output").GetProperty("label").GetString(), program.Label);
    }

    /// <summary>
    /// Each golden node's class, name, encoding, inputs, default and factors, and its lambda extensionally: the
    /// golden <c>table</c> (Map / SequenceMap over the input value sets; arithmetic errors → null) and
    /// <c>table_key_query_selected</c> (Select).
    /// </summary>
    [Theory, MemberData(nameof(Ids))]
    public void Nodes_and_lambdas_match_golden(string id)
    {
        var g = GoldenJson.Program(id);
        var program = ProgramRegistry.Get(id).Build();
        var nodes = ExtractionOrder.Nodes(program).ToDictionary(n => n.Label, n => n.Expr);
        var problems = new List<string>();
        int tableRows = 0;
        foreach (var n in g.GetProperty("rasp_nodes").EnumerateArray())
        {
            string label = n.GetProperty("label").GetString()!;
            if (!nodes.TryGetValue(label, out var expr)) { problems.Add($"{label}: missing"); continue; }
            void Check(bool ok, string what) { if (!ok) problems.Add($"{label}: {what}"); }

            Check(expr.GetType().Name == n.GetProperty("op").GetString(), $"op {expr.GetType().Name} vs {n.GetProperty("op").GetString()}");
            Check(expr.Name == n.GetProperty("name").GetString(), $"name {expr.Name} vs {n.GetProperty("name").GetString()}");
            if (n.TryGetProperty("encoding", out var enc))
                Check(expr is SOp s && s.Encoding.Lower() == enc.GetString(), $"encoding vs {enc.GetString()}");
            if (n.TryGetProperty("inputs", out var inputs))
            {
                var want = inputs.EnumerateArray().Select(x => x.GetString()).ToList();
                var have = expr.Children.Select(c => c.Label).ToList();
                Check(want.SequenceEqual(have), $"inputs [{string.Join(", ", have)}] vs [{string.Join(", ", want)}]");
            }
            if (expr is Select sel)
            {
                Check(sel.Keys.Label == n.GetProperty("keys").GetString(), $"keys {sel.Keys.Label}");
                Check(sel.Queries.Label == n.GetProperty("queries").GetString(), $"queries {sel.Queries.Label}");
                string predicate = n.GetProperty("predicate").GetString()!;
                if (predicate.StartsWith("Comparison.", StringComparison.Ordinal))
                    Check(sel.Comparison is { } c && predicate.StartsWith($"Comparison.{c} ", StringComparison.Ordinal), $"predicate {sel.Comparison} vs {predicate}");
                else
                    Check(sel.Comparison is null, $"predicate should be a lambda ({predicate}), is {sel.Comparison}");
                if (n.TryGetProperty("table_key_query_selected", out var kq))
                    foreach (var row in kq.EnumerateArray())
                    {
                        var r = GoldenJson.ToValues(row);
                        bool got = sel.Predicate(r[0], r[1]).IsTruthy;
                        Check(got == r[2].AsBool, $"predicate({r[0].Repr()}, {r[1].Repr()}) = {got}, golden {r[2].Repr()}");
                        tableRows++;
                    }
            }
            if (expr is Aggregate agg && n.TryGetProperty("default", out var def))
                Check(PyAssert.Same(agg.Default, GoldenJson.ToValue(def)), $"default {agg.Default.Repr()} vs {def.GetRawText()}");
            if (expr is LinearSequenceMap lsm)
            {
                Check(PyAssert.Same(lsm.FstFac, GoldenJson.ToValue(n.GetProperty("fst_fac"))), "fst_fac");
                Check(PyAssert.Same(lsm.SndFac, GoldenJson.ToValue(n.GetProperty("snd_fac"))), "snd_fac");
            }
            if (n.TryGetProperty("table", out var table))
            {
                foreach (var row in table.EnumerateArray())
                {
                    var r = GoldenJson.ToValues(row);
                    Value got;
                    string call;
                    switch (expr)
                    {
                        case Map m: call = $"f({r[0].Repr()})"; got = Guard(() => m.F(r[0])); break;
                        case SequenceMap sm: call = $"f({r[0].Repr()}, {r[1].Repr()})"; got = Guard(() => sm.F(r[0], r[1])); break;
                        default: call = "?"; got = Value.None; Check(false, "table on a node without a function"); break;
                    }
                    Check(PyAssert.Same(got, r[^1]), $"{call} = {got.Repr()}, golden {r[^1].Repr()}");
                    tableRows++;
                }
            }
            if (problems.Count > 40) break;
        }
        Assert.True(problems.Count == 0, $"{id}: {problems.Count} problem(s) ({tableRows} table rows checked):\n" + string.Join("\n", problems.Take(40)));

        // Basis inference drops ArithmeticError results to None (tracr wraps f); other errors propagate.
        static Value Guard(Func<Value> f)
        {
            try { return f(); }
            catch (PyArithmeticError) { return Value.None; }
        }
    }

    /// <summary>
    /// RASP evaluation (causal evaluator for causal programs) on every golden input against <c>rasp</c>, the
    /// non-causal evaluator against <c>rasp_noncausal</c>, and the tracr test-case expectations. Python
    /// equality with numbers within 1e-9, and the Python types must agree too (the golden JSON keeps
    /// <c>1</c> / <c>1.0</c> / <c>true</c> apart).
    /// <para>
    /// Where tracr's evaluator raised (<c>rasp_error</c>, only <c>paper_int_sum</c>: its Comparison.EQ Select
    /// over <c>number_just_ended</c>, which is None at position 0, raises "key is None!"), the C# evaluator must
    /// raise the same error, and the golden fallback <c>rasp_none_unselected</c> is compared against the same
    /// program rebuilt so that a None key/query is "not selected" (<see cref="NoneUnselected"/>).
    /// </para>
    /// </summary>
    [Theory, MemberData(nameof(Ids))]
    public void Evaluation_matches_golden_rasp_outputs(string id)
    {
        var g = GoldenJson.Program(id);
        var spec = ProgramRegistry.Get(id);
        var program = spec.Build();
        var noneUnselected = new Lazy<SOp>(() => NoneUnselected.Rewrite(program));
        var vocab = new HashSet<Value>(spec.Vocab);
        int compared = 0;

        foreach (var item in g.GetProperty("inputs").EnumerateArray())
        {
            var input = GoldenJson.ToValues(item.GetProperty("input"));
            foreach (var tok in input)
                Assert.True(vocab.TryGetValue(tok, out var v) && v.Kind == tok.Kind, $"{id}: input token {tok.Repr()} not in the vocab with that type");
            string ctx = $"{id} on {PyAssert.Show(input)}";

            compared += CompareOrError(item, "rasp", spec.Causal);
            if (spec.Causal) compared += CompareOrError(item, "rasp_noncausal", false);

            if (item.TryGetProperty("test_cases", out var tcs))
                foreach (var tc in tcs.EnumerateArray())
                {
                    var expected = GoldenJson.ToValues(tc.GetProperty("expected_output"));
                    var actual = RaspEvaluator.Evaluate(program, input, spec.Causal);
                    // lib_test compares with Python == (False == 0.0, 1/3 exact).
                    PyAssert.SequenceSame(expected, actual, $"{ctx} test case {tc.GetProperty("test_case").GetString()}", tol: 0, strictTypes: false);
                }

            int CompareOrError(JsonElement it, string key, bool causal)
            {
                if (it.TryGetProperty(key, out var want))
                {
                    var actual = RaspEvaluator.Evaluate(program, input, causal);
                    PyAssert.SequenceSame(GoldenJson.ToValues(want), actual, $"{ctx} [{key}]");
                    return 1;
                }
                if (it.TryGetProperty(key + "_error", out var err))
                {
                    var ex = Assert.ThrowsAny<Exception>(() => RaspEvaluator.Evaluate(program, input, causal));
                    string golden = err.GetString()!;
                    Assert.StartsWith("ValueError: ", golden);
                    Assert.IsType<PyValueError>(ex);
                    Assert.Equal(golden["ValueError: ".Length..], ex.Message);

                    var fallback = it.GetProperty(key + "_none_unselected");
                    var actual = RaspEvaluator.Evaluate(noneUnselected.Value, input, causal);
                    PyAssert.SequenceSame(GoldenJson.ToValues(fallback), actual, $"{ctx} [{key}_none_unselected]");
                    return 1;
                }
                Assert.Fail($"{ctx}: neither '{key}' nor '{key}_error' in the golden input");
                return 0;
            }
        }
        Assert.True(compared > 0);
    }
}
