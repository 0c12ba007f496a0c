using System.Collections.Concurrent;
using System.Text.Json;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.Tests.CompiledRuntime;

/// <summary>Golden programs compiled with their golden settings (cached: some take seconds), and output comparison.</summary>
internal static class GoldenModels
{
    private static readonly ConcurrentDictionary<string, Lazy<CompiledModel>> Cache = new();

    /// <summary>Small and medium golden programs (each compiles in well under a second).</summary>
    public static readonly string[] Small =
    [
        "frac_prevs_1", "frac_prevs_1_causal", "shift_by_one", "shift_by_two_causal", "detect_pattern_ab", "reverse",
        "length_categorical", "pair_balance", "shuffle_dyck2", "hist", "sort_tokens", "sort_unique_rev_indices",
        "count_a", "nary_sequencemap_1", "detect_pattern_abc_causal", "selector_width_causal", "itest_select_aggregate",
    ];

    public static CompiledModel Compile(string id) => Cache.GetOrAdd(id, i => new Lazy<CompiledModel>(() =>
    {
        var cfg = GoldenJson.Program(i).GetProperty("compile_config");
        var options = new CompilerOptions
        {
            Vocab = GoldenJson.ToValues(cfg.GetProperty("vocab")),
            MaxSeqLen = cfg.GetProperty("max_seq_len").GetInt32(),
            CompilerBos = cfg.GetProperty("compiler_bos").GetString()!,
            CompilerPad = cfg.GetProperty("compiler_pad").GetString()!,
            Causal = cfg.GetProperty("causal").GetBoolean(),
            MlpExactness = cfg.GetProperty("mlp_exactness").GetDouble(),
        };
        return RaspCompiler.Compile(ProgramRegistry.Get(i).Build(), options);
    })).Value;

    public static IEnumerable<(Value[] Input, Value[] Model)> Inputs(string id) =>
        GoldenJson.Program(id).GetProperty("inputs").EnumerateArray()
            .Select(e => (GoldenJson.ToValues(e.GetProperty("input")), GoldenJson.ToValues(e.GetProperty("model"))));

    /// <summary>tracr's integration-test comparison: numbers within 1e-7 + 0.005·|expected|, everything else equal.</summary>
    public static void AssertOutputsEqual(IReadOnlyList<Value> expected, IReadOnlyList<Value> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} outputs, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (e.IsNumber && a.IsNumber && (e.Kind == ValueKind.Float || a.Kind == ValueKind.Float))
                Assert.True(Math.Abs(a.AsDouble - e.AsDouble) <= 1e-7 + 0.005 * Math.Abs(e.AsDouble),
                    $"{what}: position {i}: expected {e.Repr()}, got {a.Repr()}");
            else
                Assert.True(e.Equals(a), $"{what}: position {i}: expected {e.Repr()}, got {a.Repr()}");
        }
    }

    public static string Show(IEnumerable<Value> xs) => "[" + string.Join(" ", xs.Select(x => x.ToString())) + "]";

    public static JsonElement Golden(string id) => GoldenJson.Program(id);
}
