using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Models.Gpt2;

/// <summary>Optional inputs of <see cref="Gpt2Model.Forward"/>.</summary>
public sealed record Gpt2ForwardOptions
{
    /// <summary>
    /// [batch, past + time], 1 for real tokens and 0 for padding, covering the cached positions
    /// too (HF convention). Padded keys are never attended to, and position ids, when not given,
    /// count only real tokens, so a left-padded sequence sees the same positions as unpadded.
    /// </summary>
    public Tensor? AttentionMask { get; init; }

    /// <summary>[batch, time] or [time]; default: past .. past+time-1, or derived from the mask.</summary>
    public Tensor? PositionIds { get; init; }

    /// <summary>When set, past keys/values are read from it and this step's are appended.</summary>
    public Gpt2KeyValueCache? Cache { get; init; }

    /// <summary>Collect <see cref="Gpt2Output.HiddenStates"/>.</summary>
    public bool OutputHiddenStates { get; init; }

    /// <summary>
    /// Reads or replaces the residual stream after each block: called with the block index
    /// (0-based) and the block's output [batch, time, n_embd]; what it returns is what the next
    /// block (or ln_f) reads and what <see cref="Gpt2Output.HiddenStates"/> records. Return the
    /// argument unchanged to only observe. Gradients flow through whatever it returns.
    /// </summary>
    public Func<int, Tensor, Tensor>? BlockHook { get; init; }

    /// <summary>Skip the unembedding (saves the [batch, time, vocab] product when only states are needed).</summary>
    public bool SkipLogits { get; init; }

    /// <summary>
    /// Unembed only the last position: Logits is [batch, 1, vocab]. Decoding needs nothing else,
    /// and for a long prompt the full unembedding costs more than the blocks.
    /// </summary>
    public bool LastPositionLogitsOnly { get; init; }

    /// <summary>
    /// Runs the unembedding (final hidden state × wteᵀ, the largest product of a small GPT-2) in
    /// this type, e.g. BFloat16, and returns the logits in it; null keeps the model's type.
    /// Training uses it for speed on CPUs with bf16 instructions; gradients still reach the
    /// float32 weights through the casts.
    /// </summary>
    public ScalarType? UnembeddingType { get; init; }
}

/// <summary>
/// Result of a forward pass. The tensors belong to the caller's dispose scope (or to the GC when
/// there is none); dispose the output to free them early.
/// </summary>
public sealed class Gpt2Output : IDisposable
{
    /// <summary>[batch, time, vocab] ([batch, 1, vocab] with <see cref="Gpt2ForwardOptions.LastPositionLogitsOnly"/>); null when <see cref="Gpt2ForwardOptions.SkipLogits"/> was set.</summary>
    public Tensor? Logits { get; init; }

    /// <summary>
    /// n_layer + 1 raw residual-stream states, each [batch, time, n_embd]: [0] is the embedding
    /// output (wte + wpe), [i] (i ≥ 1) the output of block i-1 after the block hook. Entries 0..n_layer-1
    /// equal HF's <c>hidden_states</c>; HF's last entry is ln_f applied to the final block output,
    /// which is <see cref="LastHiddenState"/> here, while [n_layer] is that output before ln_f, so
    /// every entry is a point of the residual stream.
    /// </summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }

    /// <summary>ln_f(final residual), HF's <c>last_hidden_state</c>.</summary>
    public required Tensor LastHiddenState { get; init; }

    public void Dispose()
    {
        Logits?.Dispose();
        LastHiddenState.Dispose();
        if (HiddenStates is not null)
            foreach (var h in HiddenStates) h.Dispose();
    }
}

/// <summary>
/// GPT-2 language model (HF GPT2LMHeadModel): learned position embeddings, pre-LayerNorm blocks
/// with causal multi-head attention and a tanh-GELU MLP, final LayerNorm, and an output layer tied
/// to the token embedding. Parameter names equal HF GPT2Model state-dict keys.
/// </summary>
public sealed class Gpt2Model : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // HF names, see Gpt2Modules.cs
    readonly Embedding wte;
    readonly Embedding wpe;
    readonly Dropout drop;
    readonly ModuleList<Gpt2Block> h;
    readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    public Gpt2Config Config { get; }

    /// <summary>Builds a model with HF's initialisation (N(0, initializer_range), scaled residual projections).</summary>
    public Gpt2Model(Gpt2Config config, long? seed = null) : this(config, initialize: true, seed) { }

    internal Gpt2Model(Gpt2Config config, bool initialize, long? seed) : base("gpt2")
    {
        config.Validate();
        Config = config;
        wte = nn.Embedding(config.VocabSize, config.NEmbd);
        wpe = nn.Embedding(config.NPositions, config.NEmbd);
        drop = nn.Dropout(config.EmbdPdrop);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block($"h.{i}", config)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        RegisterComponents();
        if (initialize) InitializeWeights(seed ?? Random.Shared.NextInt64(long.MaxValue));
    }

    public Embedding TokenEmbedding => wte;
    public Embedding PositionEmbedding => wpe;
    public IReadOnlyList<Gpt2Block> Blocks => h.ToList();
    public LayerNorm FinalLayerNorm => ln_f;

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>HF GPT-2 initialisation, reproducible from <paramref name="seed"/>.</summary>
    public void InitializeWeights(long seed)
    {
        var gen = new Generator((ulong)seed, torch.CPU);
        double std = Config.InitializerRange;
        double projStd = std / Math.Sqrt(2.0 * Config.NLayer);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        void Normal(Tensor p, double s)
        {
            // Drawn on the CPU generator, then copied, so the result does not depend on the device.
            var values = torch.empty(p.shape, ScalarType.Float32).normal_(0, s, gen);
            p.copy_(values);
        }
        Normal(wte.weight!, std);
        Normal(wpe.weight!, std);
        foreach (var block in h)
        {
            block.Ln1.weight!.fill_(1); block.Ln1.bias!.zero_();
            block.Ln2.weight!.fill_(1); block.Ln2.bias!.zero_();
            Normal(block.Attention.QkvProjection.Weight, std); block.Attention.QkvProjection.Bias.zero_();
            Normal(block.Attention.OutputProjection.Weight, projStd); block.Attention.OutputProjection.Bias.zero_();
            Normal(block.Mlp.InputProjection.Weight, std); block.Mlp.InputProjection.Bias.zero_();
            Normal(block.Mlp.OutputProjection.Weight, projStd); block.Mlp.OutputProjection.Bias.zero_();
        }
        ln_f.weight!.fill_(1);
        ln_f.bias!.zero_();
    }

    /// <summary>Logits [batch, time, vocab] for token ids [batch, time].</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var output = Forward(inputIds);
        return output.Logits!.alias();
    }

    /// <summary>
    /// Runs the network on <paramref name="inputIds"/> [batch, time] (int64). With a cache, only the
    /// new tokens are given and their positions continue after the cached ones.
    /// </summary>
    public Gpt2Output Forward(Tensor inputIds, Gpt2ForwardOptions? options = null)
    {
        options ??= new Gpt2ForwardOptions();
        if (inputIds.dim() != 2)
            throw new ArgumentException($"inputIds must be [batch, time], got [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        long batch = inputIds.shape[0], time = inputIds.shape[1];
        if (time < 1) throw new ArgumentException("inputIds has no positions.", nameof(inputIds));
        var cache = options.Cache;
        int past = cache?.Length ?? 0;
        long total = past + time;

        var device = wte.weight!.device;
        var scope = NewDisposeScope();
        try
        {
            var ids = inputIds.to(device);
            var mask = options.AttentionMask?.to(device);
            if (mask is not null && (mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != total))
                throw new ArgumentException($"AttentionMask must be [{batch}, {total}] (past + time), got [{string.Join(", ", mask.shape)}].");

            var positions = PositionIdsFor(options.PositionIds, mask, batch, time, past, device);
            using (no_grad())
            {
                long minId = ids.min().item<long>(), maxId = ids.max().item<long>();
                if (minId < 0 || maxId >= Config.VocabSize)
                    throw new ArgumentException($"Token id {(minId < 0 ? minId : maxId)} is outside the vocabulary (size {Config.VocabSize}).");
                long maxPos = positions.max().item<long>();
                if (maxPos >= Config.NPositions)
                    throw new ArgumentException($"Position {maxPos} is beyond n_positions = {Config.NPositions}.");
            }

            var hidden = drop.forward(wte.forward(ids) + wpe.forward(positions));
            var masking = MaskingFor(mask, batch, time, past, device);

            List<Tensor>? states = options.OutputHiddenStates ? new() { hidden } : null;
            for (int i = 0; i < h.Count; i++)
            {
                hidden = h[i].Forward(hidden, masking, cache, i);
                if (options.BlockHook is { } hook)
                    hidden = hook(i, hidden) ?? throw new InvalidOperationException($"Block hook returned null for block {i}.");
                states?.Add(hidden);
            }
            cache?.Commit();

            var last = ln_f.forward(hidden);
            Tensor? logits = options.SkipLogits ? null
                : Unembed(options.LastPositionLogitsOnly ? last.narrow(1, time - 1, 1) : last, options.UnembeddingType);

            // States may alias each other (a hook returning its input); alias() gives each its own handle.
            var output = new Gpt2Output
            {
                Logits = logits?.MoveToOuterDisposeScope(),
                LastHiddenState = last.MoveToOuterDisposeScope(),
                HiddenStates = states?.Select(s => s.alias().MoveToOuterDisposeScope()).ToList(),
            };
            return output;
        }
        catch
        {
            cache?.Abort();
            throw;
        }
        finally
        {
            scope.Dispose();
        }
    }

    Tensor Unembed(Tensor hidden, ScalarType? type) =>
        type is { } t && t != hidden.dtype
            ? F.linear(hidden.to_type(t), wte.weight!.to_type(t))
            : F.linear(hidden, wte.weight!);

    static Tensor PositionIdsFor(Tensor? given, Tensor? mask, long batch, long time, int past, Device device)
    {
        if (given is not null)
        {
            var p = given.to(device).to_type(ScalarType.Int64);
            if (p.dim() == 1) p = p.unsqueeze(0);
            if (p.shape[^1] != time || (p.shape[0] != 1 && p.shape[0] != batch))
                throw new ArgumentException($"PositionIds must be [{batch}, {time}] or [{time}], got [{string.Join(", ", given.shape)}].");
            return p;
        }
        if (mask is null)
            return torch.arange(past, past + time, dtype: ScalarType.Int64, device: device).unsqueeze(0);

        // Count real tokens only, so left padding does not shift positions (as HF generate does).
        var counted = mask.to_type(ScalarType.Int64).cumsum(1) - 1;
        return counted.clamp_min(0).narrow(1, past, time);
    }

    static AttentionMasking MaskingFor(Tensor? mask, long batch, long time, int past, Device device)
    {
        long total = past + time;
        if (mask is null)
        {
            if (past == 0) return new AttentionMasking(null, Causal: true);
            // One new token may see everything cached; SDPA's own causal flag would align the
            // triangle to the top-left corner, which is wrong when queries start after the past.
            if (time == 1) return new AttentionMasking(null, Causal: false);
        }

        var queryPos = torch.arange(past, total, dtype: ScalarType.Int64, device: device).view(time, 1);
        var keyPos = torch.arange(0, total, dtype: ScalarType.Int64, device: device).view(1, total);
        var allowed = keyPos.le(queryPos).view(1, 1, time, total);
        if (mask is not null)
        {
            var realKeys = mask.ne(0).view(batch, 1, 1, total);
            // A padding query would otherwise see no key at all; SDPA then yields NaN, which the
            // value product spreads to every later layer. Letting it see itself keeps it finite.
            var self = keyPos.eq(queryPos).view(1, 1, time, total);
            allowed = allowed.logical_and(realKeys).logical_or(self);
        }
        return new AttentionMasking(allowed, Causal: false);
    }
}
