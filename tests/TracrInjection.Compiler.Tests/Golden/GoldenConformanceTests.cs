using System.Text.Json;
using TracrInjection.Compiler.Allocation;
using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.Golden;

/// <summary>
/// Every program in shared/golden, compiled in tracr mode, must match real tracr: residual labels and order,
/// block layout, every weight (|diff| ≤ 1e-6) and the decoded outputs of the assembled model.
/// </summary>
public class GoldenConformanceTests
{
    public static TheoryData<string> Programs() => new(GoldenFiles.ProgramIds());

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Compilation>> Compiled = new();

    /// <summary>Compiled once per program for all tests (compilation is deterministic and the result read-only here).</summary>
    internal static Compilation CompileGolden(string id) => Compiled.GetOrAdd(id, i => new Lazy<Compilation>(() => CompileFresh(i))).Value;

    private static Compilation CompileFresh(string id)
    {
        var cfg = GoldenJson.Program(id).GetProperty("compile_config");
        var spec = ProgramRegistry.Get(id);
        var options = new CompilerOptions
        {
            Vocab = GoldenJson.ToValues(cfg.GetProperty("vocab")),
            MaxSeqLen = cfg.GetProperty("max_seq_len").GetInt32(),
            CompilerBos = cfg.GetProperty("compiler_bos").GetString()!,
            CompilerPad = cfg.GetProperty("compiler_pad").GetString()!,
            Causal = cfg.GetProperty("causal").GetBoolean(),
            MlpExactness = cfg.GetProperty("mlp_exactness").GetDouble(),
        };
        return RaspCompiler.CompileWithStages(spec.Build(), options);
    }

    [Theory, MemberData(nameof(Programs))]
    public void ResidualLabelsMatchTracr(string id)
    {
        var golden = GoldenJson.Program(id).GetProperty("residual");
        var c = CompileGolden(id);
        Assert.Equal(golden.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!), c.Model.ResidualLabels);
        Assert.Equal(golden.GetProperty("craft_labels").EnumerateArray().Select(e => e.GetString()!), c.Craft.Residual.Basis.Select(b => b.ToString()));
        Assert.Equal(golden.GetProperty("token_encoding").EnumerateArray().Select(e => GoldenJson.ToValue(e).ToString()),
            c.Model.TokenVocabulary.Select(v => v.ToString()));
    }

    [Theory, MemberData(nameof(Programs))]
    public void ModelConfigMatchesTracr(string id)
    {
        var g = GoldenJson.Program(id).GetProperty("model_config");
        var cfg = CompileGolden(id).Model.Config;
        Assert.Equal(g.GetProperty("num_layers").GetInt32(), cfg.NumLayers);
        Assert.Equal(g.GetProperty("num_heads").GetInt32(), cfg.NumHeads);
        Assert.Equal(g.GetProperty("key_size").GetInt32(), cfg.KeySize);
        Assert.Equal(g.GetProperty("mlp_hidden_size").GetInt32(), cfg.MlpHiddenSize);
    }

    [Theory, MemberData(nameof(Programs))]
    public void BlocksAndWeightsMatchTracr(string id)
    {
        var blocks = GoldenJson.Program(id).GetProperty("craft_blocks").EnumerateArray().ToList();
        var c = CompileGolden(id);
        Assert.Equal(blocks.Count, c.Craft.Sublayers.Count);
        for (int i = 0; i < blocks.Count; i++)
        {
            var gb = blocks[i];
            var sub = c.Craft.Sublayers[i];
            Assert.Equal(gb.GetProperty("tracr_layer").GetInt32(), sub.TracrLayer);
            Assert.Equal(gb.GetProperty("kind").GetString(), sub.IsAttention ? "attention" : "mlp");
            if (sub.IsAttention)
            {
                var heads = gb.GetProperty("heads").EnumerateArray().ToList();
                Assert.Equal(heads.Count, sub.Attention!.Heads.Count);
                for (int h = 0; h < heads.Count; h++)
                {
                    var gh = heads[h];
                    var head = sub.Attention.Heads[h];
                    Assert.Equal(gh.GetProperty("node").GetString(), head.Nodes[0]);
                    AssertSpace(gh.GetProperty("query_space"), head.WQk.Left);
                    AssertSpace(gh.GetProperty("key_space"), head.WQk.Right);
                    AssertSpace(gh.GetProperty("value_input_space"), head.WOv.Input);
                    AssertSpace(gh.GetProperty("value_output_space"), head.WOv.Output);
                    AssertNonZeros(gh.GetProperty("w_qk_nonzeros"), head.WQk.Matrix, $"{id} block {i} head {h} W_QK");
                    AssertNonZeros(gh.GetProperty("w_ov_nonzeros"), head.WOv.Matrix, $"{id} block {i} head {h} W_OV");
                }
            }
            else
            {
                var mlp = sub.Mlp!;
                Assert.Equal(gb.GetProperty("hidden_width").GetInt32(), mlp.Hidden.Count);
                AssertSpace(gb.GetProperty("input_space"), mlp.Input);
                AssertSpace(gb.GetProperty("output_space"), mlp.Output);
                if (gb.TryGetProperty("hidden_space", out var hs)) AssertSpace(hs, mlp.Hidden);
                if (gb.TryGetProperty("fst_nonzeros", out var f)) AssertNonZeros(f, mlp.Fst.Matrix, $"{id} block {i} fst");
                if (gb.TryGetProperty("snd_nonzeros", out var s)) AssertNonZeros(s, mlp.Snd.Matrix, $"{id} block {i} snd");
            }
        }
    }

    [Theory, MemberData(nameof(Programs))]
    public void AssembledModelOutputsMatchTracr(string id)
    {
        var g = GoldenJson.Program(id);
        var model = CompileGolden(id).Model;
        foreach (var input in g.GetProperty("inputs").EnumerateArray())
        {
            var tokens = GoldenJson.ToValues(input.GetProperty("input"));
            var expected = GoldenJson.ToValues(input.GetProperty("model"));
            var actual = ReferenceForward.Run(model, tokens);
            AssertOutputsEqual(expected, actual, $"{id} on [{string.Join(" ", tokens.Select(t => t.ToString()))}]");
        }
    }

    [Theory, MemberData(nameof(Programs))]
    public void PaddedInputsMatchTracr(string id)
    {
        var g = GoldenJson.Program(id);
        if (!g.TryGetProperty("padded_inputs", out var padded)) return;
        var model = CompileGolden(id).Model;
        var pad = Value.Str(model.Options.CompilerPad);
        foreach (var input in padded.EnumerateArray())
        {
            var tokens = GoldenJson.ToValues(input.GetProperty("input")).ToList();
            int n = tokens.Count;
            while (tokens.Count < model.MaxSeqLen) tokens.Add(pad);
            var actual = ReferenceForward.Decode(model, ReferenceForward.Residuals(model, EncodeWithPad(model, tokens))[^1]);
            var expected = GoldenJson.ToValues(input.GetProperty("model_padded"));
            AssertOutputsEqual(expected.Take(n).ToArray(), actual.Take(n).ToArray(), $"{id} padded");
        }
    }

    private static int[] EncodeWithPad(Assembly.CompiledModel m, List<Value> tokens)
    {
        var ids = new int[tokens.Count + 1];
        ids[0] = m.BosId;
        for (int i = 0; i < tokens.Count; i++) ids[i + 1] = m.IndexOfToken(tokens[i]);
        return ids;
    }

    internal static void AssertOutputsEqual(Value[] expected, Value[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
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

    private static void AssertSpace(JsonElement labels, VectorSpace space) =>
        Assert.Equal(labels.EnumerateArray().Select(e => e.GetString()!), space.Basis.Select(b => b.ToString()));

    private static void AssertNonZeros(JsonElement nonzeros, SparseMatrix m, string what)
    {
        var expected = nonzeros.EnumerateArray().Select(e => (e[0].GetInt32(), e[1].GetInt32(), e[2].GetDouble())).ToList();
        var actual = m.Entries.ToList();
        var actualMap = actual.ToDictionary(a => (a.Row, a.Col), a => a.Value);
        foreach (var (r, c, v) in expected)
        {
            double got = actualMap.GetValueOrDefault((r, c));
            Assert.True(Math.Abs(got - v) <= 1e-6 * Math.Max(1, Math.Abs(v)), $"{what}: [{r},{c}] expected {v}, got {got}");
        }
        Assert.Equal(expected.Count, actual.Count);
    }
}
