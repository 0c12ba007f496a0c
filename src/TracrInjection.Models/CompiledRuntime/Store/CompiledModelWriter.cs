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
    /// <param name="dense">Store every weight dense (format version 1, as tracr's own layout holds them); by default an MLP
    /// matrix that is mostly zeros is stored in compressed sparse rows (format version 2).</param>
    public static void Write(CompiledModel model, string directory, IReadOnlyDictionary<string, string>? metadata = null, bool dense = false)
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
        bool anySparse = !dense && model.Layers.Any(l => l.Mlp is { } m && (PaysToStoreSparse(m.SparseW1) || PaysToStoreSparse(m.SparseW2)));
        string json = CompiledModelConfigJson.Write(CompiledModelConfig.Of(model, w?.GetLength(0), metadata),
            anySparse ? CompiledModelConfig.FormatVersion : CompiledModelConfig.OldestFormatVersion);
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            WriteTensors(model, w, Path.Combine(tmp, CompiledModelStore.WeightsFileName), dense);
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

    private static void WriteTensors(CompiledModel m, float[,]? wEmb, string path, bool dense)
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
                MlpMatrix(t, p + "w_1", mlp.SparseW1, dense);
                t[p + "output_dims"] = Index(mlp.OutputDims);
                MlpMatrix(t, p + "w_2", mlp.SparseW2, dense);
            }
        }
        if (wEmb is not null) t["compression/w_emb"] = Matrix(wEmb);
        SafeTensorsWriter.Save(path, t, metadata: new Dictionary<string, string> { ["format"] = CompiledModelConfig.Format });
    }

    /// <summary>Matrices below this many entries (64 KiB dense) are always stored dense.</summary>
    internal const long SparseMinEntries = 1 << 14;

    /// <summary>Sparse when the matrix is large and the three sparse tensors take at most half the dense bytes (4 per entry).</summary>
    internal static bool PaysToStoreSparse(SparseWeights s) =>
        (long)s.Rows * s.Cols >= SparseMinEntries && (long)s.NonZeroCount * 8 + (s.Rows + 1L) * 4 <= (long)s.Rows * s.Cols * 2;

    /// <summary>An MLP matrix, dense as <c>NAME</c> or sparse as <c>NAME.sparse_{row_start,columns,values}</c>; never densified to write it sparse.</summary>
    private static void MlpMatrix(Dictionary<string, Tensor> t, string name, SparseWeights s, bool dense)
    {
        if (dense || !PaysToStoreSparse(s))
        {
            t[name] = Dense(s);
            return;
        }
        t[name + SparseSuffix.RowStart] = tensor(s.RowStart, [s.RowStart.Length], ScalarType.Int32);
        t[name + SparseSuffix.Columns] = tensor(s.Columns, [s.Columns.Length], ScalarType.Int32);
        t[name + SparseSuffix.Values] = tensor(s.Values, [s.Values.Length], ScalarType.Float32);
    }

    private static Tensor Dense(SparseWeights s)
    {
        var flat = new float[(long)s.Rows * s.Cols];
        for (int r = 0; r < s.Rows; r++)
            for (int i = s.RowStart[r]; i < s.RowStart[r + 1]; i++) flat[(long)r * s.Cols + s.Columns[i]] = s.Values[i];
        return tensor(flat, [s.Rows, s.Cols], ScalarType.Float32);
    }

    private static Tensor Index(int[] dims) => tensor(dims.Select(d => (long)d).ToArray(), [dims.Length], ScalarType.Int64);

    private static Tensor Matrix(float[,] m)
    {
        var flat = new float[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [m.GetLength(0), m.GetLength(1)], ScalarType.Float32);
    }
}
