using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Assembly;

/// <summary>tracr's transformer configuration numbers (what <c>assemble.py</c> pads every layer to).</summary>
public sealed record ModelConfig(int NumLayers, int NumHeads, int KeySize, int MlpHiddenSize, bool Causal);

/// <summary>A RASP variable as it lives in the residual stream, for decoding.</summary>
public sealed record ResidualVariable(string Name, bool Numerical, int[] Dims, Value?[] Values);

/// <summary>
/// One attention head at its own size. In tracr's padded layout its query block is P_Q'·W_QK, its key block
/// P_K', value block P_V'·W_OV and output rows P_O; storing the pieces avoids the zero padding. The compiler
/// stores the weights sparse; the dense arrays are built on first use.
/// </summary>
public sealed class CompiledHead
{
    private float[,]? _wQk, _wOv;
    private SparseWeights? _sQk, _sOv;

    public CompiledHead(string Node, string Op, int[] QueryDims, int[] KeyDims, float[,] WQk, int[] ValueDims, int[] OutputDims, float[,] WOv)
        : this(Node, Op, QueryDims, KeyDims, ValueDims, OutputDims)
    {
        _wQk = WQk;
        _wOv = WOv;
    }

    public CompiledHead(string Node, string Op, int[] QueryDims, int[] KeyDims, SparseWeights WQk, int[] ValueDims, int[] OutputDims, SparseWeights WOv)
        : this(Node, Op, QueryDims, KeyDims, ValueDims, OutputDims)
    {
        _sQk = WQk;
        _sOv = WOv;
    }

    private CompiledHead(string node, string op, int[] queryDims, int[] keyDims, int[] valueDims, int[] outputDims)
    {
        this.Node = node;
        this.Op = op;
        this.QueryDims = queryDims;
        this.KeyDims = keyDims;
        this.ValueDims = valueDims;
        this.OutputDims = outputDims;
    }

    public string Node { get; }
    public string Op { get; }
    public int[] QueryDims { get; }
    public int[] KeyDims { get; }
    public int[] ValueDims { get; }
    public int[] OutputDims { get; }
    /// <summary>[|QueryDims| × |KeyDims|], dense (built from the sparse weights on first use).</summary>
    public float[,] WQk => _wQk ?? LazyInitializer.EnsureInitialized(ref _wQk, () => _sQk!.ToDense());
    /// <summary>[|ValueDims| × |OutputDims|], dense (built from the sparse weights on first use).</summary>
    public float[,] WOv => _wOv ?? LazyInitializer.EnsureInitialized(ref _wOv, () => _sOv!.ToDense());
    public SparseWeights SparseWQk => _sQk ?? LazyInitializer.EnsureInitialized(ref _sQk, () => SparseWeights.FromDense(_wQk!));
    public SparseWeights SparseWOv => _sOv ?? LazyInitializer.EnsureInitialized(ref _sOv, () => SparseWeights.FromDense(_wOv!));
}

/// <summary>
/// An MLP sublayer at its own size: ReLU(x[InputDims]·W1)·W2 added to x[OutputDims]. The compiler stores the
/// weights sparse (paper_count's W1 is 481 × 43,200, ~99% zeros); the dense arrays are built on first use.
/// </summary>
public sealed class CompiledMlp
{
    private float[,]? _w1, _w2;
    private SparseWeights? _s1, _s2;

    public CompiledMlp(IReadOnlyList<string> Nodes, int[] InputDims, float[,] W1, int[] OutputDims, float[,] W2, IReadOnlyList<string> HiddenLabels)
        : this(Nodes, InputDims, OutputDims, HiddenLabels, W1.GetLength(1))
    {
        _w1 = W1;
        _w2 = W2;
    }

    public CompiledMlp(IReadOnlyList<string> Nodes, int[] InputDims, SparseWeights W1, int[] OutputDims, SparseWeights W2, IReadOnlyList<string> HiddenLabels)
        : this(Nodes, InputDims, OutputDims, HiddenLabels, W1.Cols)
    {
        _s1 = W1;
        _s2 = W2;
    }

    private CompiledMlp(IReadOnlyList<string> nodes, int[] inputDims, int[] outputDims, IReadOnlyList<string> hiddenLabels, int hiddenSize)
    {
        this.Nodes = nodes;
        this.InputDims = inputDims;
        this.OutputDims = outputDims;
        this.HiddenLabels = hiddenLabels;
        this.HiddenSize = hiddenSize;
    }

    public IReadOnlyList<string> Nodes { get; }
    public int[] InputDims { get; }
    public int[] OutputDims { get; }
    public IReadOnlyList<string> HiddenLabels { get; }
    /// <summary>Number of hidden units (columns of W1).</summary>
    public int HiddenSize { get; }
    /// <summary>[|InputDims| × HiddenSize], dense (built from the sparse weights on first use).</summary>
    public float[,] W1 => _w1 ?? LazyInitializer.EnsureInitialized(ref _w1, () => _s1!.ToDense());
    /// <summary>[HiddenSize × |OutputDims|], dense (built from the sparse weights on first use).</summary>
    public float[,] W2 => _w2 ?? LazyInitializer.EnsureInitialized(ref _w2, () => _s2!.ToDense());
    public SparseWeights SparseW1 => _s1 ?? LazyInitializer.EnsureInitialized(ref _s1, () => SparseWeights.FromDense(_w1!));
    public SparseWeights SparseW2 => _s2 ?? LazyInitializer.EnsureInitialized(ref _s2, () => SparseWeights.FromDense(_w2!));
}

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
    /// <summary>The program's data flow for the run-time averaging check (<see cref="DataflowNode"/>); empty = unknown.</summary>
    public IReadOnlyList<DataflowNode> Dataflow { get; init; } = [];
    /// <summary>Compile-time warnings: places where no compiled model can give RASP's value (both modes).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Tracr mode: expressions where this model will disagree with RASP and fix mode would repair it (empty in fix mode).</summary>
    public IReadOnlyList<TracrDefect> TracrDefects { get; init; } = [];

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
        Layers.Sum(l => l.Heads.Sum(h => (long)h.QueryDims.Length * h.KeyDims.Length + (long)h.ValueDims.Length * h.OutputDims.Length) +
                        (l.Mlp is null ? 0 : (long)l.Mlp.HiddenSize * (l.Mlp.InputDims.Length + l.Mlp.OutputDims.Length)));

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
