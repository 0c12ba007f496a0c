using System.Text.Json;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;
using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

public class CommandTests
{
    public static TheoryData<string> GoldenPrograms() => new(
        "frac_prevs_1", "frac_prevs_1_causal", "reverse", "sort_tokens", "hist", "shift_by_one", "detect_pattern_ab",
        "length_categorical", "nary_sequencemap_1", "pair_balance", "shuffle_dyck2", "count_less_freq_categorical", "itest_select_aggregate");

    [Theory, MemberData(nameof(GoldenPrograms))]
    public void RunJsonMatchesTracrGolden(string id)
    {
        var cases = GoldenInputs(id);
        using var dir = new TempFolder();
        File.WriteAllLines(dir["inputs.txt"], cases.Select(c => c.Line));
        var json = Run("run", "--program", id, "--inputs", dir["inputs.txt"], "--json").Json();
        var outputs = json.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(cases.Count, outputs.Count);
        for (int i = 0; i < cases.Count; i++)
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(outputs[i]), $"{id} on [{cases[i].Line}]");
    }

    [Fact]
    public void PaperCountRunMatchesTracrGolden()
    {
        var cases = GoldenInputs("paper_count").Where((_, i) => i % 8 == 0).ToList();
        using var dir = new TempFolder();
        File.WriteAllLines(dir["inputs.txt"], cases.Select(c => c.Line));
        var outputs = Run("run", "--program", "paper_count", "--inputs", dir["inputs.txt"], "--json").Json().GetProperty("outputs").EnumerateArray().ToList();
        for (int i = 0; i < cases.Count; i++)
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(outputs[i]), $"paper_count input {i}");
    }

    [Fact]
    public void RunTextPrintsOneLinePerInput()
    {
        using var dir = new TempFolder();
        File.WriteAllLines(dir["in.txt"], ["a b c d", "", "c a", "d"]);
        var r = Run("run", "--program", "reverse", "--inputs", dir["in.txt"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["d c b a", "a c", "d"], r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", r.Err);
    }

    [Theory]
    [InlineData("sort_tokens", "4 1 3")]
    [InlineData("frac_prevs_2", "( a ) ( ( b")]
    [InlineData("shift_by_one_causal", "a b c d")]
    public void CompileThenRunModelEqualsProgram(string id, string input)
    {
        using var dir = new TempFolder();
        var compile = Run("compile", "--program", id, "--out", dir["m"]);
        Assert.True(compile.ExitCode == 0, compile.Err);
        Assert.StartsWith($"compiled {id} → ", compile.Out);
        Assert.Contains("width ", compile.Out);
        Assert.True(File.Exists(Path.Combine(dir["m"], "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir["m"], "config.json")));

        var fromModel = Run("run", "--model", dir["m"], "--input", input, "--json");
        var fromProgram = Run("run", "--program", id, "--input", input, "--json");
        Assert.Equal(0, fromModel.ExitCode);
        Assert.Equal(fromProgram.Out, fromModel.Out);

        var traceModel = Run("trace", "--model", dir["m"], "--input", input, "--json");
        var traceProgram = Run("trace", "--program", id, "--input", input, "--json");
        Assert.Equal(traceProgram.Out, traceModel.Out);

        var inspect = Run("inspect", "--model", dir["m"], "--json").Json();
        Assert.Equal(id, inspect.GetProperty("program").GetString());
    }

    [Fact]
    public void CompileOverridesReachTheModel()
    {
        using var dir = new TempFolder();
        var r = Run("compile", "--program", "sort_tokens", "--vocab", "1,2,5,7", "--max-seq-len", "4", "--causal", "false",
            "--mlp-exactness", "50", "--out", dir["m"]);
        Assert.True(r.ExitCode == 0, r.Err);
        var j = Run("inspect", "--model", dir["m"], "--json").Json();
        Assert.Equal(new Value[] { 1, 2, 5, 7 }, GoldenJson.ToValues(j.GetProperty("vocab")));
        Assert.Equal(4, j.GetProperty("max_seq_len").GetInt32());
        Assert.Equal("1 2 5 7", Run("run", "--model", dir["m"], "--input", "7 5 2 1").Out.Trim());
        Assert.Equal("[[1,2,5,7]]", Run("run", "--model", dir["m"], "--input", "7 5 2 1", "--json").Json().GetProperty("outputs").GetRawText());

        // String vocabularies keep their items verbatim.
        r = Run("compile", "--program", "reverse", "--vocab", "x,y,1", "--out", dir["r"]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(new Value[] { "x", "y", "1" }, GoldenJson.ToValues(Run("inspect", "--model", dir["r"], "--json").Json().GetProperty("vocab")));
        Assert.Equal("[[\"1\",\"y\",\"x\"]]", Run("run", "--model", dir["r"], "--input", "x y 1", "--json").Json().GetProperty("outputs").GetRawText());
    }

    [Fact]
    public void CompressedCompileRuns()
    {
        using var dir = new TempFolder();
        var plain = Run("inspect", "--program", "hist", "--json").Json();
        int d = plain.GetProperty("residual_width").GetInt32();
        var r = Run("compile", "--program", "hist", "--compress", d.ToString(), "--out", dir["m"]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains($"compressed width {d}", r.Out);
        Assert.Equal(Run("run", "--program", "hist", "--input", "a b a c", "--json").Out, Run("run", "--model", dir["m"], "--input", "a b a c", "--json").Out);
        Assert.Equal(d, Run("inspect", "--model", dir["m"], "--json").Json().GetProperty("compressed_width").GetInt32());
    }

    public static TheoryData<string> InspectPrograms() => new("frac_prevs_1", "reverse", "sort_tokens", "shuffle_dyck2", "paper_count");

    [Theory, MemberData(nameof(InspectPrograms))]
    public void InspectJsonMatchesGoldenLayout(string id)
    {
        var g = GoldenJson.Program(id);
        var j = Run("inspect", "--program", id, "--json").Json();
        Assert.Equal(g.GetProperty("residual").GetProperty("labels").EnumerateArray().Select(e => e.GetString()),
            j.GetProperty("residual_labels").EnumerateArray().Select(e => e.GetString()));
        var cfg = g.GetProperty("model_config");
        Assert.Equal(cfg.GetProperty("num_layers").GetInt32(), j.GetProperty("num_layers").GetInt32());
        Assert.Equal(cfg.GetProperty("num_heads").GetInt32(), j.GetProperty("num_heads").GetInt32());
        Assert.Equal(cfg.GetProperty("key_size").GetInt32(), j.GetProperty("key_size").GetInt32());
        Assert.Equal(cfg.GetProperty("mlp_hidden_size").GetInt32(), j.GetProperty("mlp_hidden_size").GetInt32());
        Assert.Equal(g.GetProperty("residual").GetProperty("width").GetInt32(), j.GetProperty("residual_width").GetInt32());
        var p = j.GetProperty("parameters");
        Assert.True(p.GetProperty("stored").GetInt64() < p.GetProperty("tracr_padded").GetInt64());
        Assert.Equal(2 * cfg.GetProperty("num_layers").GetInt32(), j.GetProperty("sublayers").GetArrayLength());

        var text = Run("inspect", "--program", id);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("residual width", text.Out);
        Assert.Contains("layer_0/mlp", text.Out);
    }

    [Fact]
    public void PaperCountInspectReportsTracrPadding()
    {
        var p = Run("inspect", "--program", "paper_count", "--json").Json().GetProperty("parameters");
        Assert.True(p.GetProperty("tracr_padded_bytes").GetInt64() > 4_000_000_000L);
        Assert.True(p.GetProperty("runtime_tensor_bytes").GetInt64() < 200_000_000L);
    }

    [Fact]
    public void TraceJsonDecodesEveryStage()
    {
        var j = Run("trace", "--program", "sort_unique_rev_indices", "--input", "a c d b", "--json").Json();
        Assert.Equal(new Value[] { "a", "c", "d", "b" }, GoldenJson.ToValues(j.GetProperty("positions")));
        var layers = j.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["embed", "layer_0/attn", "layer_0/mlp", "layer_1/attn", "layer_1/mlp", "layer_2/attn", "layer_2/mlp"],
            layers.Select(l => l.GetProperty("name").GetString()!));
        var embed = layers[0].GetProperty("decoded");
        Assert.Equal(new Value[] { "a", "c", "d", "b" }, GoldenJson.ToValues(embed.GetProperty("tokens")));
        Assert.Equal(new Value[] { 0, 1, 2, 3 }, GoldenJson.ToValues(embed.GetProperty("indices")));
        var output = GoldenJson.ToValues(j.GetProperty("output"));
        Assert.Equal(new Value[] { "b", "d", "c", "a" }, output);
        string outVar = GoldenJson.Program("sort_unique_rev_indices").GetProperty("output").GetProperty("label").GetString()!;
        Assert.Equal(output, GoldenJson.ToValues(layers[^1].GetProperty("decoded").GetProperty(outVar)));
        Assert.All(GoldenJson.ToValues(embed.GetProperty(outVar)), v => Assert.True(v.IsNone));
        Assert.Equal(GoldenJson.Program("sort_unique_rev_indices").GetProperty("residual").GetProperty("labels").GetArrayLength(),
            j.GetProperty("labels").GetArrayLength());
    }

    [Fact]
    public void TraceTextAndPlot()
    {
        using var dir = new TempFolder();
        string png = dir["trace.png"];
        var r = Run("trace", "--program", "frac_prevs_1", "--input", "h e l l o", "--plot", png);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("layer_1/attn", r.Out);
        Assert.Contains("frac_prevs_1", r.Out);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(["trace.png"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ProgramsListsTheRegistry()
    {
        var j = Run("programs", "--json").Json();
        var ids = j.GetProperty("programs").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(ProgramRegistry.All.Select(p => p.Id), ids);
        var sort = j.GetProperty("programs").EnumerateArray().First(p => p.GetProperty("id").GetString() == "sort_tokens");
        Assert.Equal("[1,2,3,4]", sort.GetProperty("vocab").GetRawText());
        Assert.Equal("100.0", sort.GetProperty("mlp_exactness").GetRawText());
        var text = Run("programs");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("paper_count", text.Out);
    }

    [Fact]
    public void HelpWorks()
    {
        var r = Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in new[] { "programs", "compile", "run", "trace", "inspect" }) Assert.Contains(c, r.Out);
        Assert.Contains("BOS", Run("trace", "--help").Out);
    }
}
