using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Models.Checkpoints;

/// <summary>Element types of the safetensors format that this reader and writer handle.</summary>
public enum SafeTensorsDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool }

/// <summary>Where one tensor sits in a safetensors file.</summary>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
}

/// <summary>
/// Reader for the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then the
/// raw little-endian tensor bytes, offsets counted from the end of the header. The header is
/// validated up front, so truncation or inconsistent entries are reported with the tensor name
/// before any data is read.
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    readonly FileStream _stream;
    readonly long _dataStart;
    readonly Dictionary<string, SafeTensorInfo> _tensors;

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors => _tensors;

    SafeTensorsReader(string path, FileStream stream, long dataStart, Dictionary<string, SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _stream = stream;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    public static SafeTensorsReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: '{path}'.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            return Parse(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static SafeTensorsReader Parse(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new InvalidDataException($"'{path}' is not a safetensors file: {fileLength} bytes, shorter than the 8-byte header length.");
        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLength > (ulong)(fileLength - 8) || headerLength > 100_000_000)
            throw new InvalidDataException($"'{path}': header length {headerLength} exceeds the file ({fileLength} bytes); the file is truncated or not safetensors.");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new InvalidDataException($"'{path}': header is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}': header is not valid JSON ({ex.Message}).", ex);
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                    foreach (var (k, v) in meta)
                        metadata[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
                continue;
            }
            if (node is not JsonObject entry)
                throw new InvalidDataException($"'{path}': entry for tensor '{name}' is not an object.");

            string dtypeText = entry["dtype"] is JsonValue dv && dv.TryGetValue<string>(out var d) ? d
                : throw new InvalidDataException($"'{path}': tensor '{name}' has no dtype.");
            var dtype = ParseDType(dtypeText) ?? throw new InvalidDataException($"'{path}': tensor '{name}' has unsupported dtype '{dtypeText}'.");
            long[] shape = entry["shape"] is JsonArray sa
                ? sa.Select(x => x is JsonValue xv && xv.TryGetValue<long>(out var l) && l >= 0 ? l
                    : throw new InvalidDataException($"'{path}': tensor '{name}' has an invalid shape entry {x?.ToJsonString()}.")).ToArray()
                : throw new InvalidDataException($"'{path}': tensor '{name}' has no shape.");
            if (entry["data_offsets"] is not JsonArray oa || oa.Count != 2
                || oa[0] is not JsonValue b0 || !b0.TryGetValue<long>(out var begin)
                || oa[1] is not JsonValue e0 || !e0.TryGetValue<long>(out var end))
                throw new InvalidDataException($"'{path}': tensor '{name}' has no valid data_offsets.");

            var info = new SafeTensorInfo(name, dtype, shape, begin, end);
            if (begin < 0 || end < begin)
                throw new InvalidDataException($"'{path}': tensor '{name}' has invalid data_offsets [{begin}, {end}].");
            long expected = checked(info.ElementCount * ElementSize(dtype));
            if (end - begin != expected)
                throw new InvalidDataException($"'{path}': tensor '{name}' ({dtypeText}, shape [{string.Join(", ", shape)}]) needs {expected} bytes but its data_offsets span {end - begin}.");
            if (end > dataLength)
                throw new InvalidDataException($"'{path}': tensor '{name}' needs bytes up to {end} of the data section, which has only {dataLength}; the file is truncated.");
            tensors[name] = info;
        }

        // Overlapping tensors would mean a corrupted header; safetensors itself rejects them too.
        long cursor = 0;
        foreach (var info in tensors.Values.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (info.Begin < cursor && info.ByteLength > 0)
                throw new InvalidDataException($"'{path}': tensor '{info.Name}' overlaps another tensor's data.");
            cursor = Math.Max(cursor, info.End);
        }

        return new SafeTensorsReader(path, stream, dataStart, tensors, metadata);
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    public byte[] ReadBytes(string name)
    {
        var info = Info(name);
        var bytes = new byte[info.ByteLength];
        _stream.Seek(_dataStart + info.Begin, SeekOrigin.Begin);
        try
        {
            _stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"'{Path}': tensor '{name}' data ends early; the file is truncated.", ex);
        }
        return bytes;
    }

    /// <summary>Loads a tensor on the CPU with its stored dtype.</summary>
    public Tensor ReadTensor(string name)
    {
        var info = Info(name);
        byte[] bytes = ReadBytes(name);
        var t = torch.empty(info.Shape, ToScalarType(info.DType));
        if (bytes.Length > 0) t.bytes = bytes;
        return t;
    }

    /// <summary>The tensor's values converted to float (F16 and BF16 widened exactly).</summary>
    public float[] ReadFloats(string name)
    {
        using var scope = torch.NewDisposeScope();
        var t = ReadTensor(name);
        return t.to_type(ScalarType.Float32).data<float>().ToArray();
    }

    SafeTensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info) ? info
            : throw new KeyNotFoundException($"'{Path}' has no tensor named '{name}'.");

    public void Dispose() => _stream.Dispose();

    public static SafeTensorsDType? ParseDType(string text) => text switch
    {
        "F64" => SafeTensorsDType.F64,
        "F32" => SafeTensorsDType.F32,
        "F16" => SafeTensorsDType.F16,
        "BF16" => SafeTensorsDType.BF16,
        "I64" => SafeTensorsDType.I64,
        "I32" => SafeTensorsDType.I32,
        "I16" => SafeTensorsDType.I16,
        "I8" => SafeTensorsDType.I8,
        "U8" => SafeTensorsDType.U8,
        "BOOL" => SafeTensorsDType.Bool,
        _ => null,
    };

    public static string DTypeName(SafeTensorsDType dtype) => dtype == SafeTensorsDType.Bool ? "BOOL" : dtype.ToString();

    public static int ElementSize(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        _ => 1,
    };

    public static ScalarType ToScalarType(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 => ScalarType.Float64,
        SafeTensorsDType.F32 => ScalarType.Float32,
        SafeTensorsDType.F16 => ScalarType.Float16,
        SafeTensorsDType.BF16 => ScalarType.BFloat16,
        SafeTensorsDType.I64 => ScalarType.Int64,
        SafeTensorsDType.I32 => ScalarType.Int32,
        SafeTensorsDType.I16 => ScalarType.Int16,
        SafeTensorsDType.I8 => ScalarType.Int8,
        SafeTensorsDType.U8 => ScalarType.Byte,
        SafeTensorsDType.Bool => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static SafeTensorsDType FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Float64 => SafeTensorsDType.F64,
        ScalarType.Float32 => SafeTensorsDType.F32,
        ScalarType.Float16 => SafeTensorsDType.F16,
        ScalarType.BFloat16 => SafeTensorsDType.BF16,
        ScalarType.Int64 => SafeTensorsDType.I64,
        ScalarType.Int32 => SafeTensorsDType.I32,
        ScalarType.Int16 => SafeTensorsDType.I16,
        ScalarType.Int8 => SafeTensorsDType.I8,
        ScalarType.Byte => SafeTensorsDType.U8,
        ScalarType.Bool => SafeTensorsDType.Bool,
        _ => throw new NotSupportedException($"dtype {type} cannot be stored in safetensors by this writer."),
    };
}

/// <summary>Writer for the safetensors format (see <see cref="SafeTensorsReader"/>).</summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> atomically to <paramref name="path"/>. Floating-point tensors
    /// are stored as <paramref name="floatType"/> (F32 or F16) when given, else in their own dtype;
    /// other tensors keep their dtype. Tensors are laid out in name order, so equal inputs give
    /// byte-identical files.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        SafeTensorsDType? floatType = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (floatType is not null and not (SafeTensorsDType.F32 or SafeTensorsDType.F16))
            throw new ArgumentException($"floatType must be F32 or F16 (got {floatType}).", nameof(floatType));

        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }

        var plan = new List<(string Name, SafeTensorsDType DType, Tensor Source)>();
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var stored = SafeTensorsReader.FromScalarType(t.dtype);
            if (floatType is { } ft && torch.is_floating_point(t)) stored = ft;
            long bytes = t.numel() * SafeTensorsReader.ElementSize(stored);
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsReader.DTypeName(stored),
                ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            plan.Add((name, stored, t));
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The format asks for the data section to start 8-byte aligned; pad the JSON with spaces.
        int padded = (headerBytes.Length + 7) / 8 * 8;
        var headerPadded = new byte[padded];
        headerBytes.CopyTo(headerPadded, 0);
        headerPadded.AsSpan(headerBytes.Length).Fill((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(headerPadded);
            foreach (var (name, dtype, source) in plan)
            {
                using var scope = torch.NewDisposeScope();
                var t = source.detach().to(torch.CPU).to_type(SafeTensorsReader.ToScalarType(dtype)).contiguous();
                if (t.numel() == 0) continue;
                stream.Write(t.bytes);
            }
        });
    }
}
