using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Assembly;

/// <summary>tracr's transformer configuration numbers (what <c>assemble.py</c> pads every layer to).</summary>
public sealed record ModelConfig(int NumLayers, int NumHeads, int KeySize, int MlpHiddenSize, bool Causal);

/// <summary>A RASP variable as it lives in the residual stream, for decoding.</summary>
public sealed record ResidualVariable(string Name, bool Numerical, int[] Dims, Value?[] Values);

/// <summary>
/// One attention head at its own size. In tracr's padded layout its query block is P_Q'·W_QK, its key block
/// P_K', value block P_V'·W_OV and output rows P_O; storing the pieces avoids the zero padding.
/// </summary>
public sealed record CompiledHead(string Node, string Op, int[] QueryDims, int[] KeyDims, float[,] WQk,
    int[] ValueDims, int[] OutputDims, float[,] WOv);

/// <summary>An MLP sublayer at its own size: ReLU(x[InputDims]·W1)·W2 added to x[OutputDims].</summary>
public sealed record CompiledMlp(IReadOnlyList<string> Nodes, int[] InputDims, float[,] W1, int[] OutputDims, float[,] W2,
    IReadOnlyList<string> HiddenLabels);

/// <summary>Labels formatted on demand: the paper's programs have tens of thousands of tuple-valued hidden units.</summary>
public sealed class LazyLabels(int count, Func<int, string> label) : IReadOnlyList<string>
{
    private readonly string?[] _cache = new string?[count];
    public int Count => count;
    public string this[int index] => _cache[index] ??= label(index);
    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < count; i++) yield return this[i];
    }
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Model layer i: its attention sublayer then its MLP sublayer; either may be empty (all-zero in tracr).</summary>
public sealed record CompiledLayer(IReadOnlyList<CompiledHead> Heads, CompiledMlp? Mlp);

/// <summary>
/// The assembled transformer in plain arrays: residual labels in tracr's order, encoders, and per-layer weights
/// stored at their own sizes (float32, built in float64 as tracr does).
/// </summary>
public sealed class CompiledModel
{
    public required CompilerOptions Options { get; init; }
    public required string OutputLabel { get; init; }
    public required IReadOnlyList<string> ResidualLabels { get; init; }
    /// <summary>Token id → token value (tracr's input encoder basis order, BOS and PAD included).</summary>
    public required IReadOnlyList<Value> TokenVocabulary { get; init; }
    public required int[] TokenDims { get; init; }
    /// <summary>Residual index of <c>one</c>, or −1 when no block uses it.</summary>
    public required int OneDim { get; init; }
    /// <summary>Residual index of <c>indices:p</c> for p = 0..N−1.</summary>
    public required int[] IndexDims { get; init; }
    public required int[] OutputDims { get; init; }
    public required bool CategoricalOutput { get; init; }
    /// <summary>Output value for each argmax index (categorical outputs).</summary>
    public required IReadOnlyList<Value> OutputValues { get; init; }
    public required IReadOnlyList<CompiledLayer> Layers { get; init; }
    public required ModelConfig Config { get; init; }
    public required IReadOnlyList<ResidualVariable> Variables { get; init; }
    /// <summary>Compression matrix w_emb [d × D] of tracr's compressed model, if requested.</summary>
    public float[,]? Compression { get; init; }
    /// <summary>What fix mode changed relative to tracr, one line per repair.</summary>
    public IReadOnlyList<string> Repairs { get; init; } = [];

    public int ResidualWidth => ResidualLabels.Count;
    public int MaxSeqLen => Options.MaxSeqLen;
    public int BosId => IndexOfToken(Value.Str(Options.CompilerBos));
    public int PadId => IndexOfToken(Value.Str(Options.CompilerPad));

    public int IndexOfToken(Value token)
    {
        for (int i = 0; i < TokenVocabulary.Count; i++) if (TokenVocabulary[i].Equals(token)) return i;
        return -1;
    }

    /// <summary>Parameters actually stored (per-layer own sizes plus embeddings as one-hot index tables).</summary>
    public long StoredParameterCount =>
        Layers.Sum(l => l.Heads.Sum(h => (long)h.WQk.Length + h.WOv.Length) + (l.Mlp is null ? 0 : (long)l.Mlp.W1.Length + l.Mlp.W2.Length));

    /// <summary>Parameters in tracr's padded layout (every head padded to key_size, every MLP to mlp_hidden_size).</summary>
    public long TracrParameterCount
    {
        get
        {
            long d = ResidualWidth, hk = (long)Config.NumHeads * Config.KeySize, m = Config.MlpHiddenSize;
            long perLayer = 3 * (d * hk + hk) + hk * d + d + d * m + m + m * d + d;
            return TokenVocabulary.Count * d + (MaxSeqLen + 1) * d + Config.NumLayers * perLayer;
        }
    }

    /// <summary>
    /// Encodes a token sequence (without BOS) to ids with BOS prepended, validating as tracr's encoder does.
    /// Tokens are matched by Python equality, then by display string (command-line tokens are strings).
    /// </summary>
    public int[] Encode(IReadOnlyList<Value> tokens)
    {
        if (tokens.Count > MaxSeqLen)
            throw new ArgumentException($"input has {tokens.Count} tokens, longer than the maximum sequence length {MaxSeqLen}");
        var ids = new int[tokens.Count + 1];
        ids[0] = BosId;
        for (int i = 0; i < tokens.Count; i++)
        {
            int id = IndexOfToken(tokens[i]);
            if (id < 0)
            {
                string s = tokens[i].ToString();
                for (int j = 0; j < TokenVocabulary.Count && id < 0; j++) if (TokenVocabulary[j].ToString() == s) id = j;
            }
            if (id < 0 || id == BosId)
                throw new ArgumentException($"token {tokens[i].Repr()} at position {i} is not in the vocabulary {{{string.Join(", ", Options.Vocab.Select(v => v.Repr()))}}}");
            ids[i + 1] = id;
        }
        return ids;
    }
}
