using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// Everything of a compiled model that <c>config.json</c> holds (the weights and residual-index tensors are in
/// <c>model.safetensors</c>): one typed record so that the field names are written once, in
/// <see cref="CompiledModelConfigJson"/>, and the rules between fields are checked once, in <see cref="Validate"/>.
/// </summary>
public sealed record CompiledModelConfig
{
    public const string Format = "tracr-injection/compiled-model";
    /// <summary>
    /// The version written when a weight is stored sparse (2: an MLP matrix may be <c>NAME.sparse_row_start</c>,
    /// <c>NAME.sparse_columns</c> (I32) and <c>NAME.sparse_values</c> (F32) instead of a dense <c>NAME</c>). A folder whose
    /// weights are all dense is written as version 1, which older builds read; this build reads both.
    /// </summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest version this build reads (1: every weight dense).</summary>
    public const int OldestFormatVersion = 1;

    /// <summary>What a layer's attention head is, apart from its weights.</summary>
    public sealed record HeadDescription(string Node, string Op);

    /// <summary>What a layer's MLP is, apart from its weights.</summary>
    public sealed record MlpDescription(IReadOnlyList<string> Nodes, int HiddenSize, IReadOnlyList<string> HiddenLabels);

    /// <summary>One layer: its heads and its MLP (null when the layer has none).</summary>
    public sealed record LayerDescription(IReadOnlyList<HeadDescription> Heads, MlpDescription? Mlp);

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required CompilerOptions Options { get; init; }
    public required ModelConfig Config { get; init; }
    public required int ResidualWidth { get; init; }
    public required IReadOnlyList<string> ResidualLabels { get; init; }
    public required IReadOnlyList<Value> TokenVocabulary { get; init; }
    public required int OneDim { get; init; }
    public required string OutputLabel { get; init; }
    public required bool CategoricalOutput { get; init; }
    public required IReadOnlyList<Value> OutputValues { get; init; }
    public required IReadOnlyList<ResidualVariable> Variables { get; init; }
    public required IReadOnlyList<LayerDescription> Layers { get; init; }
    public required IReadOnlyList<string> Repairs { get; init; }
    /// <summary>The program's data flow for the run-time averaging check (<see cref="DataflowJson"/>); empty in older folders.</summary>
    public IReadOnlyList<DataflowNode> Dataflow { get; init; } = [];
    /// <summary>Compile-time warnings (a categorical aggregate that provably averages).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Tracr mode: where the model disagrees with RASP (<see cref="TracrDefect"/>); empty in fix mode and in older folders.</summary>
    public IReadOnlyList<TracrDefect> TracrDefects { get; init; } = [];
    public long StoredParameters { get; init; }
    public long TracrPaddedParameters { get; init; }

    /// <summary>The description of <paramref name="m"/> (<paramref name="compressedWidth"/>: the rows of its w_emb, if any).</summary>
    public static CompiledModelConfig Of(CompiledModel m, int? compressedWidth, IReadOnlyDictionary<string, string>? metadata) => new()
    {
        Metadata = metadata ?? new Dictionary<string, string>(),
        Options = m.Options with { CompressedWidth = compressedWidth },
        Config = m.Config,
        ResidualWidth = m.ResidualWidth,
        ResidualLabels = m.ResidualLabels,
        TokenVocabulary = m.TokenVocabulary,
        OneDim = m.OneDim,
        OutputLabel = m.OutputLabel,
        CategoricalOutput = m.CategoricalOutput,
        OutputValues = m.OutputValues,
        Variables = m.Variables,
        Layers = m.Layers.Select(l => new LayerDescription(
            l.Heads.Select(h => new HeadDescription(h.Node, h.Op)).ToList(),
            l.Mlp is { } mlp ? new MlpDescription(mlp.Nodes, mlp.HiddenSize, mlp.HiddenLabels) : null)).ToList(),
        Repairs = m.Repairs,
        Dataflow = m.Dataflow,
        Warnings = m.Warnings,
        TracrDefects = m.TracrDefects,
        StoredParameters = m.StoredParameterCount,
        TracrPaddedParameters = m.TracrParameterCount,
    };

    /// <summary>
    /// The rules between fields that a hand-edited or truncated config.json can break; <paramref name="error"/> makes
    /// the exception (it names the file). Rules between the config and the tensors are the reader's.
    /// </summary>
    public void Validate(Func<string, Exception> error)
    {
        if (Options.MaxSeqLen < 1) throw error($"options.max_seq_len must be at least 1, got {Options.MaxSeqLen}");
        if (Config.Causal != Options.Causal) throw error("config.causal disagrees with options.causal");
        int width = ResidualWidth;
        if (width < 1) throw error($"residual_width must be positive, got {width}");
        if (ResidualLabels.Count != width) throw error($"residual_labels has {ResidualLabels.Count} labels but residual_width is {width}");
        if (OneDim < -1 || OneDim >= width) throw error($"one_dim {OneDim} is outside the residual (width {width})");
        if (OneDim >= 0 && ResidualLabels[OneDim] != "one") throw error($"one_dim {OneDim} points at '{ResidualLabels[OneDim]}', not 'one'");
        for (int vi = 0; vi < Variables.Count; vi++)
        {
            var v = Variables[vi];
            foreach (int d in v.Dims)
                if (d < 0 || d >= width) throw error($"variables[{vi}] ('{v.Name}') has residual index {d} outside [0, {width})");
            if (v.Values.Length != v.Dims.Length) throw error($"variables[{vi}] ('{v.Name}') has {v.Values.Length} values for {v.Dims.Length} dims");
        }
        if (Layers.Count != Config.NumLayers) throw error($"layers has {Layers.Count} entries but config.num_layers is {Config.NumLayers}");
        for (int li = 0; li < Layers.Count; li++)
        {
            var layer = Layers[li];
            string at = $"layers[{li}]";
            if (layer.Heads.Count > Config.NumHeads) throw error($"{at} has {layer.Heads.Count} heads, more than config.num_heads {Config.NumHeads}");
            if (layer.Mlp is { } mlp)
            {
                if (mlp.HiddenSize < 0) throw error($"{at}.mlp.hidden_size must not be negative");
                if (mlp.HiddenSize > Config.MlpHiddenSize)
                    throw error($"{at}.mlp.hidden_size {mlp.HiddenSize} exceeds config.mlp_hidden_size {Config.MlpHiddenSize}");
                if (mlp.HiddenLabels.Count != mlp.HiddenSize)
                    throw error($"{at}.mlp.hidden_labels has {mlp.HiddenLabels.Count} labels but hidden_size is {mlp.HiddenSize}");
            }
        }
        if (Options.CompressedWidth is < 1) throw error($"options.compressed_width must be positive, got {Options.CompressedWidth}");
        if (!TokenVocabulary.Contains(Value.Str(Options.CompilerBos))) throw error($"token_vocabulary lacks the BOS token '{Options.CompilerBos}'");
        if (!TokenVocabulary.Contains(Value.Str(Options.CompilerPad))) throw error($"token_vocabulary lacks the PAD token '{Options.CompilerPad}'");
    }
}
