using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// The forward pass of a <see cref="CompiledModel"/> in TorchSharp, exactly as tracr's <c>model.py</c> /
/// <c>attention.py</c> (spec §8): float32, embedding = one-hot token + <c>one</c> + one-hot <c>indices:(p−1)</c>
/// (nothing at the BOS position 0), no layer norm, attention logits / √key_size (√ in double, cast to float32),
/// causal mask −1e30 where key &gt; query when <see cref="ModelConfig.Causal"/>, max-subtracted softmax, ReLU MLPs,
/// no PAD masking.
/// <para>
/// Unlike tracr, every head and every MLP is stored at its own size: a head keeps index tensors of the residual
/// columns it reads (query, key, value) and writes (output) plus its small W_QK and W_OV; an MLP keeps its input
/// and output columns plus W1 [|in| × hidden] and W2 [hidden × |out|]. A sublayer gathers its columns, multiplies
/// by the small matrices and scatter-adds its output. Nothing is padded to tracr's key_size or mlp_hidden_size
/// (for the paper's count program that padding alone would be about 4.3 GB).
/// </para>
/// <para>
/// Compressed model (spec §9, <see cref="Compiler.CompilerOptions.CompressedWidth"/> = d): the residual stream
/// has width d; this implements tracr's <c>unembed_at_every_layer = True</c> variant: each sublayer reads
/// read(r) = r·w_emb (size D), and write(out) = out·w_embᵀ is added to r. With d == D, w_emb is the identity and
/// the result equals the plain model; with d &lt; D and the untrained random w_emb of
/// <see cref="CompressionMatrix"/>, outputs are lossy.
/// </para>
/// </summary>
public sealed class CompiledTransformer : IDisposable
{
    private sealed record HeadTensors(Tensor QueryDims, Tensor KeyDims, Tensor WQk, Tensor ValueDims, Tensor OutputDims, Tensor WOv);

    /// <summary>An MLP's tensors: dense W1/W2, or (for large, mostly-zero MLPs) sparse transposes W1ᵀ/W2ᵀ.</summary>
    private sealed record MlpTensors(Tensor InputDims, Tensor W1, Tensor OutputDims, Tensor W2, bool Sparse);

    /// <summary>
    /// MLPs at least this wide whose W1 is at most <see cref="SparseMaxDensity"/> non-zero run as sparse products:
    /// paper_count's discretising MLP (481 × 43,200, two non-zeros per hidden unit) costs ~33 GFLOP per dense
    /// forward of an injection batch and ~0.1 GFLOP sparse. Smaller MLPs stay dense (tracr's summation order).
    /// </summary>
    private const int SparseMinHidden = 4096;
    private const double SparseMaxDensity = 0.02;

    private readonly List<HeadTensors>[] _heads;
    private readonly MlpTensors?[] _mlps;
    private readonly Tensor _tokenDims;
    private readonly Tensor _positionTable; // [N+1, D]: row 0 zero, row p one-hot indices:(p−1)
    private readonly Tensor? _wEmb;        // [d, D]
    private readonly float _logitScale;
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    public CompiledModel Model { get; }
    public Device Device { get; }

    /// <summary>Width of the residual stream the model carries: d for a compressed model, else D.</summary>
    public int StreamWidth { get; }

    public bool IsCompressed => _wEmb is not null;

    /// <summary>Names of the recorded stages: <c>embed</c>, <c>layer_0/attn</c>, <c>layer_0/mlp</c>, ...</summary>
    public IReadOnlyList<string> StageNames { get; }

    public CompiledTransformer(CompiledModel model, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Device = device ?? CPU;
        int d = model.ResidualWidth;
        if (d == 0) throw new ArgumentException("the compiled model has an empty residual stream");
        if (model.TokenDims.Length != model.TokenVocabulary.Count)
            throw new ArgumentException($"TokenDims has {model.TokenDims.Length} entries for {model.TokenVocabulary.Count} tokens");
        if (model.IndexDims.Length != model.MaxSeqLen)
            throw new ArgumentException($"IndexDims has {model.IndexDims.Length} entries for max_seq_len {model.MaxSeqLen}");
        if (model.Layers.Count != model.Config.NumLayers)
            throw new ArgumentException($"the model has {model.Layers.Count} layers but its config says {model.Config.NumLayers}");

        using var _ = no_grad();
        _tokenDims = Own(Index(model.TokenDims, d, "TokenDims"));
        var pos = new float[(model.MaxSeqLen + 1) * d];
        for (int p = 1; p <= model.MaxSeqLen; p++) pos[p * d + Check(model.IndexDims[p - 1], d, "IndexDims")] = 1;
        _positionTable = Own(tensor(pos, [model.MaxSeqLen + 1, d], ScalarType.Float32).to(Device));
        if (model.OneDim >= d) throw new ArgumentException($"OneDim {model.OneDim} is outside the residual width {d}");
        _logitScale = (float)Math.Sqrt(model.Config.KeySize);

        _heads = new List<HeadTensors>[model.Layers.Count];
        _mlps = new MlpTensors?[model.Layers.Count];
        var names = new List<string> { "embed" };
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            _heads[l] = [];
            foreach (var h in layer.Heads)
            {
                string at = $"layer {l} head {h.Node}";
                CheckShape(h.WQk, h.QueryDims.Length, h.KeyDims.Length, at + " W_QK");
                CheckShape(h.WOv, h.ValueDims.Length, h.OutputDims.Length, at + " W_OV");
                _heads[l].Add(new HeadTensors(
                    Own(Index(h.QueryDims, d, at + " query dims")), Own(Index(h.KeyDims, d, at + " key dims")), Own(Matrix(h.WQk)),
                    Own(Index(h.ValueDims, d, at + " value dims")), Own(Index(h.OutputDims, d, at + " output dims")), Own(Matrix(h.WOv))));
            }
            if (layer.Mlp is { } m)
            {
                string at = $"layer {l} MLP";
                var (s1, s2) = (m.SparseW1, m.SparseW2);
                if (s1.Rows != m.InputDims.Length || s1.Cols != m.HiddenSize)
                    throw new ArgumentException($"{at} W1 is [{s1.Rows} × {s1.Cols}], expected [{m.InputDims.Length} × {m.HiddenSize}]");
                if (s2.Rows != m.HiddenSize || s2.Cols != m.OutputDims.Length)
                    throw new ArgumentException($"{at} W2 is [{s2.Rows} × {s2.Cols}], expected [{m.HiddenSize} × {m.OutputDims.Length}]");
                bool sparse = m.HiddenSize >= SparseMinHidden && s1.NonZeroCount <= SparseMaxDensity * s1.Rows * (double)s1.Cols;
                var inputDims = Own(Index(m.InputDims, d, at + " input dims"));
                var outputDims = Own(Index(m.OutputDims, d, at + " output dims"));
                _mlps[l] = sparse
                    ? new MlpTensors(inputDims, Own(SparseTransposed(s1)), outputDims, Own(SparseTransposed(s2)), Sparse: true)
                    : new MlpTensors(inputDims, Own(Matrix(m.W1)), outputDims, Own(Matrix(m.W2)), Sparse: false);
            }
            names.Add($"layer_{l}/attn");
            names.Add($"layer_{l}/mlp");
        }
        StageNames = names;

        var w = CompressionMatrix.For(model);
        if (w is not null)
        {
            if (w.GetLength(1) != d)
                throw new ArgumentException($"compression matrix w_emb is [{w.GetLength(0)} × {w.GetLength(1)}], expected [d × {d}]");
            _wEmb = Own(Matrix(w));
            StreamWidth = w.GetLength(0);
        }
        else
        {
            StreamWidth = d;
        }
    }

    /// <summary>The compression matrix w_emb [d × D] (null for an uncompressed model).</summary>
    public Tensor? CompressionWeights => _wEmb;

    /// <summary>Bytes held by this runtime's tensors (weights, index tensors, position table, w_emb).</summary>
    public long TensorBytes => _owned.Sum(t => t.is_sparse
        ? t.SparseIndices.numel() * sizeof(long) + t.SparseValues.numel() * t.ElementSize
        : t.numel() * t.ElementSize);

    /// <summary>Encodes each sequence (BOS prepended, see <see cref="CompiledModel.Encode"/>) and runs them as one batch.</summary>
    public CompiledForward Run(IReadOnlyList<IReadOnlyList<Value>> inputs, bool captureStages = true) =>
        Forward(inputs.Select(Model.Encode).ToArray(), captureStages);

    /// <summary>Runs token-id rows (each starting with BOS, all of one length) as one batch.</summary>
    public CompiledForward Forward(IReadOnlyList<int[]> ids, bool captureStages = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) throw new ArgumentException("the batch is empty");
        int t = ids[0].Length;
        var flat = new long[ids.Count * t];
        for (int b = 0; b < ids.Count; b++)
        {
            if (ids[b].Length != t)
                throw new ArgumentException($"all sequences of a batch must have the same length: row 0 has {t} ids, row {b} has {ids[b].Length}");
            for (int i = 0; i < t; i++) flat[b * t + i] = ids[b][i];
        }
        using var idTensor = tensor(flat, [ids.Count, t], ScalarType.Int64);
        return Forward(idTensor, captureStages);
    }

    /// <summary>
    /// Runs token ids [B, T] (int64; T ≤ max_seq_len + 1; position 0 is treated as BOS, i.e. gets no index).
    /// Returns the residual stream after the embedding and after every attention and every MLP sublayer.
    /// </summary>
    /// <remarks>
    /// Each sequence is computed on its own ([1, T]) and the results stacked: a batched matrix product may pick
    /// another kernel or summation order than the single one, and then an output whose value is ~1e-22 noise
    /// (an undefined position) decodes differently depending on what else is in the batch. Row by row, a
    /// sequence's residuals are bit-identical whatever the batch holds.
    /// </remarks>
    public CompiledForward Forward(Tensor ids, bool captureStages = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.dim() != 2 || ids.shape[0] <= 1) return ForwardRows(ids, captureStages);
        var rows = new List<CompiledForward>((int)ids.shape[0]);
        try
        {
            for (long b = 0; b < ids.shape[0]; b++)
            {
                using var row = ids.narrow(0, b, 1);
                rows.Add(ForwardRows(row, captureStages));
            }
            var residuals = new List<Tensor>(StageNames.Count);
            var compressed = _wEmb is null ? null : new List<Tensor>(StageNames.Count);
            for (int s = 0; s < StageNames.Count; s++)
            {
                residuals.Add(rows[0].Residuals[s] is null ? null! : cat(rows.Select(r => r.Residuals[s]).ToList(), 0));
                compressed?.Add(rows[0].CompressedResiduals![s] is null ? null! : cat(rows.Select(r => r.CompressedResiduals![s]).ToList(), 0));
            }
            return new CompiledForward(StageNames, residuals, compressed);
        }
        finally
        {
            foreach (var r in rows) r.Dispose();
        }
    }

    /// <summary>
    /// The whole batch in one pass ([B, T] products): faster for a wide teacher, but a row's residuals may differ
    /// from its single run by float32 rounding (~1e-7), and an undefined position's ~1e-22 noise may decode
    /// differently. For training targets (residuals as floats), never where a decoded answer is reported: there
    /// use <see cref="Forward(Tensor, bool)"/>.
    /// </summary>
    public CompiledForward ForwardBatched(Tensor ids, bool captureStages = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ForwardRows(ids, captureStages);
    }

    private CompiledForward ForwardRows(Tensor ids, bool captureStages)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.dim() != 2) throw new ArgumentException($"token ids must be [batch, time], got [{string.Join(", ", ids.shape)}]");
        long batch = ids.shape[0], time = ids.shape[1];
        if (time < 1) throw new ArgumentException("token id rows are empty");
        if (time > Model.MaxSeqLen + 1)
            throw new ArgumentException($"sequence of {time} positions (BOS included) is longer than max_seq_len + 1 = {Model.MaxSeqLen + 1}");
        int d = Model.ResidualWidth;

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var idsL = ids.to_type(ScalarType.Int64).to(Device);
        long min = idsL.numel() == 0 ? 0 : idsL.min().item<long>(), max = idsL.numel() == 0 ? 0 : idsL.max().item<long>();
        if (min < 0 || max >= Model.TokenVocabulary.Count)
            throw new ArgumentException($"token ids must lie in [0, {Model.TokenVocabulary.Count}), got values in [{min}, {max}]");

        // Embedding: one-hot token + one + one-hot indices:(p−1) for p ≥ 1.
        var x = zeros([batch, time, d], ScalarType.Float32, Device);
        var cols = _tokenDims.index_select(0, idsL.flatten()).reshape(batch, time, 1);
        x.scatter_add_(2, cols, ones([batch, time, 1], ScalarType.Float32, Device));
        if (Model.OneDim >= 0) x.select(2, Model.OneDim).add_(1f);
        x.add_(_positionTable.narrow(0, 0, time).unsqueeze(0));

        Tensor? mask = null;
        if (Model.Config.Causal) // true where key > query
        {
            var pos = arange(time, ScalarType.Int64, Device);
            mask = pos.unsqueeze(0).gt(pos.unsqueeze(1));
        }

        var residuals = new List<Tensor>();
        var compressed = _wEmb is null ? null : new List<Tensor>();
        Tensor r = _wEmb is null ? x : x.matmul(_wEmb.t());
        Record(r);
        for (int l = 0; l < _heads.Length; l++)
        {
            r = Sublayer(r, xin => Attention(xin, _heads[l], mask));
            Record(r);
            var mlp = _mlps[l];
            r = Sublayer(r, xin => mlp is null ? null : Mlp(xin, mlp));
            Record(r);
        }

        return new CompiledForward(StageNames, residuals.Select(t => t?.MoveToOuterDisposeScope()!).ToList(),
            compressed?.Select(t => t?.MoveToOuterDisposeScope()!).ToList());

        void Record(Tensor stream)
        {
            bool last = residuals.Count == StageNames.Count - 1;
            if (!captureStages && !last)
            {
                residuals.Add(null!);
                compressed?.Add(null!);
                return;
            }
            if (_wEmb is null)
            {
                residuals.Add(stream);
            }
            else
            {
                residuals.Add(stream.matmul(_wEmb));
                compressed!.Add(stream);
            }
        }
    }

    /// <summary>r + write(f(read(r))); write and read are the identity for an uncompressed model.</summary>
    private Tensor Sublayer(Tensor r, Func<Tensor, Tensor?> f)
    {
        var xin = _wEmb is null ? r : r.matmul(_wEmb);
        var output = f(xin);
        if (output is null) return r.alias(); // empty sublayer: the stream passes unchanged
        return _wEmb is null ? r + output : r + output.matmul(_wEmb.t());
    }

    private Tensor? Attention(Tensor x, List<HeadTensors> heads, Tensor? mask)
    {
        if (heads.Count == 0) return null;
        var add = zeros_like(x);
        foreach (var h in heads)
        {
            var q = x.index_select(2, h.QueryDims).matmul(h.WQk);          // [B, T, |K'|]
            var k = x.index_select(2, h.KeyDims);                           // [B, T, |K'|]
            var logits = q.matmul(k.transpose(1, 2)).div_(_logitScale);    // [B, T(query), T(key)]
            if (mask is not null) logits = logits.masked_fill(mask, -1e30f);
            var weights = logits.softmax(-1);
            var v = x.index_select(2, h.ValueDims).matmul(h.WOv);          // [B, T, |O|]
            add.index_add_(2, h.OutputDims, weights.matmul(v), 1);
        }
        return add;
    }

    private static Tensor Mlp(Tensor x, MlpTensors m)
    {
        if (m.Sparse)
        {
            // [hidden, B·T] = W1ᵀ·xᵀ; the hidden activations stay transposed for the second sparse product.
            long b = x.shape[0], t = x.shape[1];
            var xin = x.index_select(2, m.InputDims).reshape(b * t, -1).t().contiguous();
            var h = m.W1.mm(xin).relu_();
            var y = m.W2.mm(h).t().reshape(b, t, -1);
            var result = zeros_like(x);
            result.index_add_(2, m.OutputDims, y, 1);
            return result;
        }
        var hidden = x.index_select(2, m.InputDims).matmul(m.W1).relu_();
        var output = zeros_like(x);
        output.index_add_(2, m.OutputDims, hidden.matmul(m.W2), 1);
        return output;
    }

    /// <summary>The transpose of a CSR weight matrix as a coalesced sparse COO tensor on the runtime's device.</summary>
    private Tensor SparseTransposed(SparseWeights w)
    {
        int nnz = w.NonZeroCount;
        var indices = new long[2 * nnz];
        var values = new float[nnz];
        int k = 0;
        for (int r = 0; r < w.Rows; r++)
            for (int i = w.RowStart[r]; i < w.RowStart[r + 1]; i++, k++)
            {
                indices[k] = w.Columns[i];
                indices[nnz + k] = r;
                values[k] = w.Values[i];
            }
        using var idx = tensor(indices, [2, nnz], ScalarType.Int64);
        using var val = tensor(values, [nnz], ScalarType.Float32);
        var coo = sparse_coo_tensor(idx, val, [w.Cols, w.Rows]); // no duplicate entries, so no coalescing needed
        if (Device.type == DeviceType.CPU) return coo;
        var moved = coo.to(Device);
        coo.Dispose();
        return moved;
    }

    private Tensor Own(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    private Tensor Index(int[] dims, int width, string what)
    {
        foreach (int c in dims) Check(c, width, what);
        return tensor(dims.Select(c => (long)c).ToArray(), [dims.Length], ScalarType.Int64).to(Device);
    }

    private static int Check(int c, int width, string what) =>
        c >= 0 && c < width ? c : throw new ArgumentException($"{what}: residual index {c} is outside [0, {width})");

    private static void CheckShape(float[,] m, int rows, int cols, string what)
    {
        if (m.GetLength(0) != rows || m.GetLength(1) != cols)
            throw new ArgumentException($"{what} is [{m.GetLength(0)} × {m.GetLength(1)}], expected [{rows} × {cols}]");
    }

    private Tensor Matrix(float[,] m)
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        var flat = new float[rows * cols];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [rows, cols], ScalarType.Float32).to(Device);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}

/// <summary>
/// The residual stream of one batch after the embedding and after every sublayer (<see cref="StageNames"/>:
/// <c>embed</c>, <c>layer_0/attn</c>, <c>layer_0/mlp</c>, ...; empty sublayers included). <see cref="Residuals"/>
/// are [B, T, D] in the model's residual basis (read back through w_emb for a compressed model);
/// <see cref="CompressedResiduals"/> are the [B, T, d] streams a compressed model actually carries. Entries
/// of stages that were not captured are null.
/// </summary>
public sealed class CompiledForward(IReadOnlyList<string> stageNames, IReadOnlyList<Tensor> residuals,
    IReadOnlyList<Tensor>? compressedResiduals) : IDisposable
{
    public IReadOnlyList<string> StageNames { get; } = stageNames;
    public IReadOnlyList<Tensor> Residuals { get; } = residuals;
    public IReadOnlyList<Tensor>? CompressedResiduals { get; } = compressedResiduals;

    /// <summary>The final residual stream [B, T, D] (tracr's <c>transformer_output</c>).</summary>
    public Tensor Output => Residuals[^1];

    public int BatchSize => (int)Output.shape[0];
    public int Length => (int)Output.shape[1];

    /// <summary>The residual of one sequence at one stage as a [T, D] array.</summary>
    public float[,] Residual(int stage, int batchIndex = 0) => ToArray(Residuals[stage] ??
        throw new InvalidOperationException($"stage '{StageNames[stage]}' was not captured"), batchIndex);

    public float[,] Residual(string stage, int batchIndex = 0)
    {
        int i = StageNames.ToList().IndexOf(stage);
        if (i < 0) throw new ArgumentException($"no stage named '{stage}'; stages: {string.Join(", ", StageNames)}");
        return Residual(i, batchIndex);
    }

    /// <summary>Copies row <paramref name="batchIndex"/> of a [B, T, W] float tensor into a [T, W] array.</summary>
    public static float[,] ToArray(Tensor t, int batchIndex)
    {
        using var row = t[batchIndex].to(CPU).to_type(ScalarType.Float32).contiguous();
        int time = (int)row.shape[0], width = (int)row.shape[1];
        var result = new float[time, width];
        var data = row.data<float>().ToArray();
        Buffer.BlockCopy(data, 0, result, 0, data.Length * sizeof(float));
        return result;
    }

    public void Dispose()
    {
        foreach (var t in Residuals) t?.Dispose();
        if (CompressedResiduals is not null) foreach (var t in CompressedResiduals) t?.Dispose();
    }
}
