using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Checkpoints;
using static TorchSharp.torch;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// Writes a compiled-model folder. The files go into a temporary folder beside the destination that is then moved
/// into place (an earlier model folder is moved aside first and restored if the move fails), so that a crash or a
/// full disk never leaves a half-written model where a reader would find it.
/// </summary>
public static class CompiledModelWriter
{
    /// <summary>Writes <paramref name="model"/> to the folder <paramref name="directory"/> atomically.</summary>
    /// <param name="metadata">Free-form strings stored under <c>metadata</c> in config.json (e.g. the program id).</param>
    public static void Write(CompiledModel model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string name = Path.GetFileName(full);
        string parent = Path.GetDirectoryName(full) ?? throw new CompiledModelStoreException($"cannot save a model to the root folder '{full}'");
        if (File.Exists(full)) throw new CompiledModelStoreException($"'{directory}' is a file, not a folder");
        if (Directory.Exists(full))
        {
            var foreign = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName)
                .Where(n => n is not (CompiledModelStore.WeightsFileName or CompiledModelStore.ConfigFileName)).ToList();
            if (foreign.Count > 0)
                throw new CompiledModelStoreException(
                    $"'{directory}' already exists and holds other files ({string.Join(", ", foreign.Take(3))}); refusing to replace it");
        }

        var w = CompressionMatrix.For(model);
        string json = CompiledModelConfigJson.Write(CompiledModelConfig.Of(model, w?.GetLength(0), metadata));
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            WriteTensors(model, w, Path.Combine(tmp, CompiledModelStore.WeightsFileName));
            AtomicFile.WriteAllText(Path.Combine(tmp, CompiledModelStore.ConfigFileName), json);
            if (Directory.Exists(full))
            {
                string old = Path.Combine(parent, $".{name}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.Move(full, old);
                try
                {
                    Directory.Move(tmp, full);
                }
                catch
                {
                    Directory.Move(old, full);
                    throw;
                }
                TryDelete(old);
            }
            else
            {
                Directory.Move(tmp, full);
            }
        }
        catch (Exception ex)
        {
            TryDelete(tmp);
            if (ex is CompiledModelStoreException) throw;
            throw new CompiledModelStoreException($"could not write the model folder '{directory}': {ex.Message}", ex);
        }
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void WriteTensors(CompiledModel m, float[,]? wEmb, string path)
    {
        using var scope = NewDisposeScope();
        var t = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["embed/token_dims"] = Index(m.TokenDims),
            ["embed/index_dims"] = Index(m.IndexDims),
            ["unembed/output_dims"] = Index(m.OutputDims),
        };
        for (int l = 0; l < m.Layers.Count; l++)
        {
            var layer = m.Layers[l];
            for (int h = 0; h < layer.Heads.Count; h++)
            {
                var head = layer.Heads[h];
                string p = $"layer_{l}/attn/head_{h}/";
                t[p + "query_dims"] = Index(head.QueryDims);
                t[p + "key_dims"] = Index(head.KeyDims);
                t[p + "w_qk"] = Matrix(head.WQk);
                t[p + "value_dims"] = Index(head.ValueDims);
                t[p + "output_dims"] = Index(head.OutputDims);
                t[p + "w_ov"] = Matrix(head.WOv);
            }
            if (layer.Mlp is { } mlp)
            {
                string p = $"layer_{l}/mlp/";
                t[p + "input_dims"] = Index(mlp.InputDims);
                t[p + "w_1"] = Matrix(mlp.W1);
                t[p + "output_dims"] = Index(mlp.OutputDims);
                t[p + "w_2"] = Matrix(mlp.W2);
            }
        }
        if (wEmb is not null) t["compression/w_emb"] = Matrix(wEmb);
        SafeTensorsWriter.Save(path, t, metadata: new Dictionary<string, string> { ["format"] = CompiledModelConfig.Format });
    }

    private static Tensor Index(int[] dims) => tensor(dims.Select(d => (long)d).ToArray(), [dims.Length], ScalarType.Int64);

    private static Tensor Matrix(float[,] m)
    {
        var flat = new float[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [m.GetLength(0), m.GetLength(1)], ScalarType.Float32);
    }
}
