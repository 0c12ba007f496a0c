using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.Tests.CompiledRuntime;

using RaspX = TracrInjection.Rasp.Expressions.Rasp;

public class CompiledModelStoreTests
{
    [Theory]
    [InlineData("reverse")]
    [InlineData("frac_prevs_1_causal")]
    [InlineData("sort_tokens")]
    [InlineData("nary_sequencemap_1")]
    [InlineData("shuffle_dyck2")]
    public void SaveThenLoadRunsIdentically(string id)
    {
        var model = GoldenModels.Compile(id);
        using var dir = new TempFolder();
        string path = dir["model"];
        CompiledModelStore.Save(model, path, new Dictionary<string, string> { ["program"] = id });
        Assert.Equal(new[] { "config.json", "model.safetensors" }, Directory.GetFileSystemEntries(path).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path).Where(p => Path.GetFileName(p).StartsWith('.')));

        var loaded = CompiledModelStore.Load(path);
        AssertSameModel(model, loaded);
        Assert.Equal(id, CompiledModelStore.ReadMetadata(path)["program"]);

        using var a = new CompiledTransformer(model);
        using var b = new CompiledTransformer(loaded);
        foreach (var group in GoldenModels.Inputs(id).GroupBy(c => c.Input.Length).Take(3))
        {
            var rows = group.Select(c => (IReadOnlyList<Value>)c.Input).ToList();
            using var fa = a.Run(rows);
            using var fb = b.Run(rows);
            for (int s = 0; s < fa.Residuals.Count; s++)
                for (int r = 0; r < rows.Count; r++)
                    CompiledTransformerTests.AssertClose(fa.Residual(s, r), fb.Residual(s, r), 0, $"{id} stage {s} row {r}");
        }
    }

    [Fact]
    public void VocabularyTypesSurviveTheRoundTrip()
    {
        var options = new CompilerOptions { Vocab = [0, 1.5, true, "x"], MaxSeqLen = 3 };
        var model = RaspCompiler.Compile(RaspX.Categorical(RaspX.Map(v => v, RaspX.Tokens, "x")), options);
        using var dir = new TempFolder();
        CompiledModelStore.Save(model, dir["m"]);
        var loaded = CompiledModelStore.Load(dir["m"]);
        Assert.Equal(model.Options.Vocab.Select(v => (v.Kind, v.Repr())), loaded.Options.Vocab.Select(v => (v.Kind, v.Repr())));
        Assert.Equal(model.TokenVocabulary.Select(v => (v.Kind, v.Repr())), loaded.TokenVocabulary.Select(v => (v.Kind, v.Repr())));
        Assert.Equal(model.OutputValues.Select(v => (v.Kind, v.Repr())), loaded.OutputValues.Select(v => (v.Kind, v.Repr())));
    }

    [Fact]
    public void CompressedModelKeepsItsMatrix()
    {
        var plain = GoldenModels.Compile("hist");
        var model = RaspCompiler.Compile(ProgramRegistry.Get("hist").Build(), plain.Options with { CompressedWidth = 11, CompressionSeed = 3 });
        using var dir = new TempFolder();
        CompiledModelStore.Save(model, dir["m"]);
        var loaded = CompiledModelStore.Load(dir["m"]);
        Assert.Equal(CompressionMatrix.For(model), loaded.Compression);
        Assert.Equal(11, loaded.Options.CompressedWidth);
        using var a = new CompiledTransformer(model);
        using var b = new CompiledTransformer(loaded);
        using var fa = a.Run([new Value[] { "a", "b", "a" }]);
        using var fb = b.Run([new Value[] { "a", "b", "a" }]);
        CompiledTransformerTests.AssertClose(fa.Residual(fa.Residuals.Count - 1), fb.Residual(fb.Residuals.Count - 1), 0, "final");
    }

    [Fact]
    public void SaveReplacesAnEarlierModelFolderButNotOtherFolders()
    {
        using var dir = new TempFolder();
        string path = dir["m"];
        CompiledModelStore.Save(GoldenModels.Compile("hist"), path);
        CompiledModelStore.Save(GoldenModels.Compile("reverse"), path);
        Assert.Equal(GoldenModels.Compile("reverse").ResidualLabels, CompiledModelStore.Load(path).ResidualLabels);
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));

        string other = dir["other"];
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        var e = Assert.Throws<CompiledModelStoreException>(() => CompiledModelStore.Save(GoldenModels.Compile("hist"), other));
        Assert.Contains("notes.txt", e.Message);
        Assert.True(File.Exists(Path.Combine(other, "notes.txt")));
    }

    // ---------------------------------------------------------------------------------------- corrupt folders

    [Fact]
    public void MissingFolderOrFilesAreNamed()
    {
        using var dir = new TempFolder();
        AssertLoadFails(dir["nope"], "does not exist");
        string path = Saved(dir);
        File.Delete(Path.Combine(path, "config.json"));
        AssertLoadFails(path, "config.json");
        path = Saved(dir, "b");
        File.Delete(Path.Combine(path, "model.safetensors"));
        AssertLoadFails(path, "model.safetensors");
    }

    [Fact]
    public void InvalidJsonIsReported()
    {
        using var dir = new TempFolder();
        string path = Saved(dir);
        File.WriteAllText(Path.Combine(path, "config.json"), "{ \"format\": ");
        AssertLoadFails(path, "config.json' is not valid JSON");
    }

    [Theory]
    [InlineData("residual_labels", "residual_labels has")]
    [InlineData("format", "format is")]
    [InlineData("max_seq_len", "embed/index_dims")]
    [InlineData("drop_variables_dims", "variables[0]")]
    [InlineData("missing_field", "field 'one_dim' is missing")]
    [InlineData("layers", "layers has")]
    [InlineData("hidden_labels", "hidden_labels has")]
    [InlineData("rename_label", "tensor 'embed/token_dims' maps token 'a'")]
    public void InconsistentConfigIsReported(string corruption, string expected)
    {
        using var dir = new TempFolder();
        string path = Saved(dir);
        string cfgPath = Path.Combine(path, "config.json");
        var root = JsonNode.Parse(File.ReadAllText(cfgPath))!.AsObject();
        switch (corruption)
        {
            case "residual_labels": root["residual_labels"]!.AsArray().RemoveAt(0); break;
            case "rename_label":
                var labels = root["residual_labels"]!.AsArray();
                int at = labels.Select(l => l!.GetValue<string>()).ToList().IndexOf("tokens:a");
                labels[at] = "tokens:zz";
                break;
            case "format": root["format"] = "something-else"; break;
            case "max_seq_len": root["options"]!["max_seq_len"] = 4; break;
            case "drop_variables_dims": root["variables"]![0]!["dims"]!.AsArray().Add(1); break;
            case "missing_field": root.Remove("one_dim"); break;
            case "layers": root["layers"]!.AsArray().RemoveAt(0); break;
            case "hidden_labels": root["layers"]!.AsArray().First(l => l!["mlp"] is JsonObject)!["mlp"]!["hidden_labels"]!.AsArray().RemoveAt(0); break;
        }
        File.WriteAllText(cfgPath, root.ToJsonString());
        var e = AssertLoadFails(path, expected);
        Assert.True(e.Message.Contains("config.json") || e.Message.Contains("model.safetensors"), e.Message);
    }

    [Fact]
    public void TruncatedWeightsAreReported()
    {
        using var dir = new TempFolder();
        string path = Saved(dir);
        string st = Path.Combine(path, "model.safetensors");
        var bytes = File.ReadAllBytes(st);
        File.WriteAllBytes(st, bytes[..(bytes.Length - 16)]);
        AssertLoadFails(path, "truncated");
        File.WriteAllBytes(st, [1, 2, 3]);
        AssertLoadFails(path, "model.safetensors");
    }

    [Fact]
    public void WrongTensorShapeOrMissingTensorIsNamed()
    {
        using var dir = new TempFolder();
        var model = GoldenModels.Compile("reverse");
        string path = dir["m"];
        CompiledModelStore.Save(model, path);
        string st = Path.Combine(path, "model.safetensors");

        RewriteHeader(st, h => h["layer_0/attn/head_0/w_qk"]!["shape"] = new JsonArray(1, ShapeProduct(h, "layer_0/attn/head_0/w_qk")));
        AssertLoadFails(path, "layer_0/attn/head_0/w_qk");

        CompiledModelStore.Save(model, path);
        RewriteHeader(st, h =>
        {
            var entry = h["layer_0/attn/head_0/w_qk"]!.DeepClone();
            h.Remove("layer_0/attn/head_0/w_qk");
            h["layer_0/attn/head_0/renamed"] = entry;
        });
        AssertLoadFails(path, "tensor 'layer_0/attn/head_0/w_qk' is missing");

        CompiledModelStore.Save(model, path);
        RewriteHeader(st, h => h["embed/token_dims"]!["dtype"] = "F64");
        AssertLoadFails(path, "embed/token_dims");
    }

    [Fact]
    public void OutOfRangeIndexIsNamed()
    {
        using var dir = new TempFolder();
        string path = Saved(dir);
        string st = Path.Combine(path, "model.safetensors");
        var bytes = File.ReadAllBytes(st);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLen))!.AsObject();
        long begin = header["embed/token_dims"]!["data_offsets"]![0]!.GetValue<long>();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 + (int)headerLen + (int)begin), 100_000);
        File.WriteAllBytes(st, bytes);
        AssertLoadFails(path, "embed/token_dims' entry 0 is residual index 100000");
    }

    private static string Saved(TempFolder dir, string name = "m")
    {
        string path = dir[name];
        CompiledModelStore.Save(GoldenModels.Compile("hist"), path);
        return path;
    }

    private static CompiledModelStoreException AssertLoadFails(string path, string expected)
    {
        var e = Assert.Throws<CompiledModelStoreException>(() => CompiledModelStore.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private static long ShapeProduct(JsonObject h, string name) =>
        h[name]!["shape"]!.AsArray().Aggregate(1L, (a, x) => a * x!.GetValue<long>());

    private static void RewriteHeader(string path, Action<JsonObject> change)
    {
        var bytes = File.ReadAllBytes(path);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLen))!.AsObject();
        change(header);
        var newHeader = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (newHeader.Length + 7) / 8 * 8;
        using var s = File.Create(path);
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        s.Write(len);
        s.Write(newHeader);
        for (int i = newHeader.Length; i < padded; i++) s.WriteByte((byte)' ');
        s.Write(bytes, 8 + (int)headerLen, bytes.Length - 8 - (int)headerLen);
    }

    private static void AssertSameModel(CompiledModel a, CompiledModel b)
    {
        Value[] none = [];
        Assert.Equal(a.Options with { Vocab = none }, b.Options with { Vocab = none });
        Assert.Equal(a.Options.Vocab.Select(v => (v.Kind, v.Repr())), b.Options.Vocab.Select(v => (v.Kind, v.Repr())));
        Assert.Equal(a.OutputLabel, b.OutputLabel);
        Assert.Equal(a.ResidualLabels, b.ResidualLabels);
        Assert.Equal(a.TokenVocabulary, b.TokenVocabulary);
        Assert.Equal(a.TokenDims, b.TokenDims);
        Assert.Equal(a.OneDim, b.OneDim);
        Assert.Equal(a.IndexDims, b.IndexDims);
        Assert.Equal(a.OutputDims, b.OutputDims);
        Assert.Equal(a.CategoricalOutput, b.CategoricalOutput);
        Assert.Equal(a.OutputValues, b.OutputValues);
        Assert.Equal(a.Config, b.Config);
        Assert.Equal(a.Repairs, b.Repairs);
        Assert.Equal(a.StoredParameterCount, b.StoredParameterCount);
        Assert.Equal(a.Variables.Count, b.Variables.Count);
        for (int i = 0; i < a.Variables.Count; i++)
        {
            Assert.Equal(a.Variables[i].Name, b.Variables[i].Name);
            Assert.Equal(a.Variables[i].Numerical, b.Variables[i].Numerical);
            Assert.Equal(a.Variables[i].Dims, b.Variables[i].Dims);
            Assert.Equal(a.Variables[i].Values, b.Variables[i].Values);
        }
        Assert.Equal(a.Layers.Count, b.Layers.Count);
        for (int l = 0; l < a.Layers.Count; l++)
        {
            var (la, lb) = (a.Layers[l], b.Layers[l]);
            Assert.Equal(la.Heads.Count, lb.Heads.Count);
            for (int h = 0; h < la.Heads.Count; h++)
            {
                var (ha, hb) = (la.Heads[h], lb.Heads[h]);
                Assert.Equal((ha.Node, ha.Op), (hb.Node, hb.Op));
                Assert.Equal(ha.QueryDims, hb.QueryDims);
                Assert.Equal(ha.KeyDims, hb.KeyDims);
                Assert.Equal(ha.ValueDims, hb.ValueDims);
                Assert.Equal(ha.OutputDims, hb.OutputDims);
                Assert.Equal(ha.WQk, hb.WQk);
                Assert.Equal(ha.WOv, hb.WOv);
            }
            Assert.Equal(la.Mlp is null, lb.Mlp is null);
            if (la.Mlp is { } ma && lb.Mlp is { } mb)
            {
                Assert.Equal(ma.Nodes, mb.Nodes);
                Assert.Equal(ma.InputDims, mb.InputDims);
                Assert.Equal(ma.OutputDims, mb.OutputDims);
                Assert.Equal(ma.W1, mb.W1);
                Assert.Equal(ma.W2, mb.W2);
                Assert.Equal(ma.HiddenLabels, mb.HiddenLabels);
            }
        }
    }
}
