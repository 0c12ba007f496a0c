using System.Globalization;
using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// How big a compiled model is stored here versus in tracr's padded layout. Parameter counts are float32 weights:
/// <see cref="StoredParameters"/> are the per-head W_QK/W_OV and per-MLP W1/W2 at their own sizes (embeddings are
/// index tables, not weights); <see cref="TracrParameters"/> are tracr's Haiku parameters, every head padded to
/// key_size and every MLP to mlp_hidden_size, embeddings and biases included.
/// </summary>
public sealed record ModelSizeReport(
    int ResidualWidth,
    int Layers,
    int MaxHeads,
    int KeySize,
    int MlpHiddenSize,
    long StoredParameters,
    long TracrParameters,
    long IndexEntries,
    int? CompressedWidth)
{
    public long StoredBytes => StoredParameters * sizeof(float);
    public long TracrBytes => TracrParameters * sizeof(float);

    /// <summary>Residual-column indices the runtime keeps (int64 each).</summary>
    public long IndexBytes => IndexEntries * sizeof(long);

    /// <summary>Compression matrix parameters (d × D), 0 when uncompressed.</summary>
    public long CompressionParameters => CompressedWidth is int d ? (long)d * ResidualWidth : 0;

    public double Reduction => StoredParameters == 0 ? double.PositiveInfinity : (double)TracrParameters / StoredParameters;

    public static ModelSizeReport Of(CompiledModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        long index = m.TokenDims.Length + m.IndexDims.Length + m.OutputDims.Length;
        foreach (var layer in m.Layers)
        {
            foreach (var h in layer.Heads) index += h.QueryDims.Length + h.KeyDims.Length + h.ValueDims.Length + h.OutputDims.Length;
            if (layer.Mlp is { } mlp) index += mlp.InputDims.Length + mlp.OutputDims.Length;
        }
        int? d = m.Compression is { } w ? w.GetLength(0) : m.Options.CompressedWidth;
        return new ModelSizeReport(m.ResidualWidth, m.Config.NumLayers, m.Config.NumHeads, m.Config.KeySize, m.Config.MlpHiddenSize,
            m.StoredParameterCount, m.TracrParameterCount, index, d);
    }

    /// <summary>1536 → "1.5 KiB", 4.3e9 → "4.0 GiB".</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString(v >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
