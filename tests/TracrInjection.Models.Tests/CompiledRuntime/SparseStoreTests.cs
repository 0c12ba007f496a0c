using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.Tests.CompiledRuntime;

/// <summary>Issue 11, item 5: mostly-zero MLP matrices stored sparse (format version 2), dense on request (version 1).</summary>
public class SparseStoreTests
{
    private static int Version(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["format_version"]!.GetValue<int>();

    private static IReadOnlyDictionary<string, SafeTensorInfo> Tensors(string dir)
    {
        using var r = SafeTensorsReader.Open(Path.Combine(dir, "model.safetensors"));
        return r.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static List<(int, int, float)> Entries(SparseWeights s)
    {
        var e = new List<(int, int, float)>(s.NonZeroCount);
        for (int r = 0; r < s.Rows; r++)
            for (int i = s.RowStart[r]; i < s.RowStart[r + 1]; i++) e.Add((r, s.Columns[i], s.Values[i]));
        e.Sort();
        return e;
    }

    private static readonly FieldInfo DenseW1 = typeof(CompiledMlp).GetField("_w1", BindingFlags.NonPublic | BindingFlags.Instance)!;

    [Fact]
    public void PaperCountIsStoredSparseAndLoadsWithoutDensifying()
    {
        var model = GoldenModels.Compile("paper_count");
        using var dir = new TempFolder();
        CompiledModelStore.Save(model, dir["sparse"]);
        CompiledModelStore.Save(model, dir["dense"], dense: true);
        long sparseBytes = new FileInfo(Path.Combine(dir["sparse"], "model.safetensors")).Length;
        long denseBytes = new FileInfo(Path.Combine(dir["dense"], "model.safetensors")).Length;
        Assert.True(sparseBytes * 10 < denseBytes, $"sparse {sparseBytes} bytes, dense {denseBytes}");
        Assert.Equal(2, Version(dir["sparse"]));
        Assert.Equal(1, Version(dir["dense"]));
        var sparseTensors = Tensors(dir["sparse"]);
        Assert.Contains(sparseTensors.Keys, k => k.EndsWith("/mlp/w_1.sparse_values", StringComparison.Ordinal));
        Assert.DoesNotContain(Tensors(dir["dense"]).Keys, k => k.Contains(".sparse_", StringComparison.Ordinal));

        var loaded = CompiledModelStore.Load(dir["sparse"]);
        var fromDense = CompiledModelStore.Load(dir["dense"]);
        for (int l = 0; l < model.Layers.Count; l++)
        {
            if (model.Layers[l].Mlp is not { } m) continue;
            var lm = loaded.Layers[l].Mlp!;
            if (sparseTensors.ContainsKey($"layer_{l}/mlp/w_1.sparse_values")) Assert.Null(DenseW1.GetValue(lm)); // never densified
            Assert.Equal(Entries(m.SparseW1), Entries(lm.SparseW1));
            Assert.Equal(Entries(m.SparseW2), Entries(lm.SparseW2));
            Assert.Equal(Entries(m.SparseW1), Entries(fromDense.Layers[l].Mlp!.SparseW1));
        }

        using var a = new CompiledTransformer(model);
        using var b = new CompiledTransformer(loaded);
        foreach (var (input, _) in GoldenModels.Inputs("paper_count").Take(2))
        {
            using var fa = a.Run([(IReadOnlyList<Value>)input]);
            using var fb = b.Run([(IReadOnlyList<Value>)input]);
            for (int s = 0; s < fa.Residuals.Count; s++)
                CompiledTransformerTests.AssertClose(fa.Residual(s, 0), fb.Residual(s, 0), 0, $"paper_count stage {s}");
        }
    }

    [Fact]
    public void SmallMatricesStayDenseAndVersionOneFoldersStillLoad()
    {
        // reverse's MLPs are small and dense enough: nothing sparse, so the folder is version 1, as before this change.
        var model = GoldenModels.Compile("reverse");
        using var dir = new TempFolder();
        CompiledModelStore.Save(model, dir["m"]);
        Assert.Equal(1, Version(dir["m"]));
        Assert.NotNull(CompiledModelStore.Load(dir["m"]));
    }

    [Fact]
    public void UnknownVersionAndCorruptSparseTensorsAreNamed()
    {
        var model = GoldenModels.Compile("sort_unique_rev_indices");
        using var dir = new TempFolder();
        string path = dir["m"];
        CompiledModelStore.Save(model, path);
        var names = Tensors(path).Keys.Where(k => k.EndsWith(".sparse_columns", StringComparison.Ordinal)).ToList();
        if (names.Count == 0)
        {
            model = GoldenModels.Compile("paper_count");
            CompiledModelStore.Save(model, path);
            names = Tensors(path).Keys.Where(k => k.EndsWith(".sparse_columns", StringComparison.Ordinal)).ToList();
        }
        string config = Path.Combine(path, "config.json");
        string text = File.ReadAllText(config);
        File.WriteAllText(config, text.Replace("\"format_version\": 2", "\"format_version\": 3"));
        var e = Assert.Throws<CompiledModelStoreException>(() => CompiledModelStore.Load(path));
        Assert.Contains("format_version 3 is not supported (this build reads 1 to 2)", e.Message);
        File.WriteAllText(config, text);

        string st = Path.Combine(path, "model.safetensors");
        var bytes = File.ReadAllBytes(st);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLen))!.AsObject();
        long begin = header[names[0]]!["data_offsets"]![0]!.GetValue<long>();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + (int)headerLen + (int)begin), 1_000_000);
        File.WriteAllBytes(st, bytes);
        e = Assert.Throws<CompiledModelStoreException>(() => CompiledModelStore.Load(path));
        Assert.Contains($"tensor '{names[0]}' entry 0 is column 1000000, outside [0, ", e.Message);
    }
}
