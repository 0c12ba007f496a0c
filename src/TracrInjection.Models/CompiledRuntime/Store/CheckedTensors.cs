using System.Buffers.Binary;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Checkpoints;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// Typed, validated access to model.safetensors; remembers which tensors were read, so that a tensor the config
/// does not account for is an error rather than silently ignored.
/// </summary>
internal sealed class CheckedTensors(SafeTensorsReader reader, string path, int width)
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CompiledModelStoreException Error(string what) => new($"'{path}': {what}");

    private SafeTensorInfo Info(string name, SafeTensorsDType dtype, int rank)
    {
        if (!reader.Tensors.TryGetValue(name, out var info)) throw Error($"tensor '{name}' is missing");
        _used.Add(name);
        if (info.DType != dtype)
            throw Error($"tensor '{name}' has dtype {SafeTensorsReader.DTypeName(info.DType)}, expected {SafeTensorsReader.DTypeName(dtype)}");
        if (info.Shape.Length != rank)
            throw Error($"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected {rank} dimension(s)");
        return info;
    }

    private byte[] Bytes(string name)
    {
        try { return reader.ReadBytes(name); }
        catch (Exception ex) when (ex is IOException or InvalidDataException) { throw Error($"tensor '{name}': {ex.Message}"); }
    }

    public int[] Index(string name, int? expectedLength)
    {
        var info = Info(name, SafeTensorsDType.I64, 1);
        if (expectedLength is int n && info.Shape[0] != n)
            throw Error($"tensor '{name}' has {info.Shape[0]} entries, expected {n}");
        var bytes = Bytes(name);
        var r = new int[info.Shape[0]];
        for (int i = 0; i < r.Length; i++)
        {
            long v = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8, 8));
            if (v < 0 || v >= width) throw Error($"tensor '{name}' entry {i} is residual index {v}, outside [0, {width})");
            r[i] = (int)v;
        }
        return r;
    }

    public float[,] Matrix(string name, int rows, int cols)
    {
        var info = Info(name, SafeTensorsDType.F32, 2);
        if (info.Shape[0] != rows || info.Shape[1] != cols)
            throw Error($"tensor '{name}' has shape [{info.Shape[0]}, {info.Shape[1]}], expected [{rows}, {cols}]");
        var bytes = Bytes(name);
        var m = new float[rows, cols];
        var span = bytes.AsSpan();
        int k = 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++, k++)
            {
                float v = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(k * 4, 4));
                if (!float.IsFinite(v)) throw Error($"tensor '{name}' has a non-finite value at [{r}, {c}]");
                m[r, c] = v;
            }
        return m;
    }

    /// <summary>
    /// An MLP matrix, dense (<c>NAME</c>) or in compressed sparse rows (<c>NAME.sparse_*</c>, kept sparse: never
    /// densified); the row starts must rise from 0 to the entry count and every column be in range, once per row.
    /// </summary>
    public SparseWeights MlpMatrix(string name, int rows, int cols)
    {
        if (reader.Tensors.ContainsKey(name) || !reader.Tensors.ContainsKey(name + SparseSuffix.RowStart))
            return SparseWeights.FromDense(Matrix(name, rows, cols));
        var start = Int32s(name + SparseSuffix.RowStart, rows + 1);
        var columns = Int32s(name + SparseSuffix.Columns, null);
        var vinfo = Info(name + SparseSuffix.Values, SafeTensorsDType.F32, 1);
        if (vinfo.Shape[0] != columns.Length)
            throw Error($"tensor '{name}{SparseSuffix.Values}' has {vinfo.Shape[0]} entries but '{name}{SparseSuffix.Columns}' has {columns.Length}");
        var vbytes = Bytes(name + SparseSuffix.Values);
        var values = new float[columns.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(vbytes.AsSpan(i * 4, 4));
            if (!float.IsFinite(values[i])) throw Error($"tensor '{name}{SparseSuffix.Values}' has a non-finite value at [{i}]");
        }
        if (start[0] != 0 || start[rows] != columns.Length)
            throw Error($"tensor '{name}{SparseSuffix.RowStart}' must run from 0 to {columns.Length} (got {start[0]} .. {start[rows]})");
        var seen = new int[cols];
        for (int r = 0; r < rows; r++)
        {
            if (start[r + 1] < start[r]) throw Error($"tensor '{name}{SparseSuffix.RowStart}' decreases at row {r}");
            for (int i = start[r]; i < start[r + 1]; i++)
            {
                if (columns[i] < 0 || columns[i] >= cols)
                    throw Error($"tensor '{name}{SparseSuffix.Columns}' entry {i} is column {columns[i]}, outside [0, {cols})");
                if (seen[columns[i]] == r + 1)
                    throw Error($"tensor '{name}{SparseSuffix.Columns}' holds column {columns[i]} twice in row {r}");
                seen[columns[i]] = r + 1;
            }
        }
        return new SparseWeights(rows, cols, start, columns, values);
    }

    private int[] Int32s(string name, int? expectedLength)
    {
        var info = Info(name, SafeTensorsDType.I32, 1);
        if (expectedLength is int n && info.Shape[0] != n)
            throw Error($"tensor '{name}' has {info.Shape[0]} entries, expected {n}");
        var bytes = Bytes(name);
        var r = new int[info.Shape[0]];
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4, 4));
        return r;
    }

    public void CheckAllUsed()
    {
        var extra = reader.Tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw Error($"unexpected tensor '{extra[0]}' (the model description in {CompiledModelStore.ConfigFileName} does not use it)");
    }
}
