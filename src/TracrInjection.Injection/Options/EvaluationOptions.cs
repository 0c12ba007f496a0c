
namespace TracrInjection.Injection.Options;

/// <summary>Evaluation settings (stored with the run; the paper's values by default).</summary>
public sealed record EvaluationOptions
{
    /// <summary>At most this many items per split (a fixed random subset); null = all (4,000 in the paper).</summary>
    public int? MaxItemsPerSplit { get; init; }
    /// <summary>Test items whose positions are decoded through the adapter.</summary>
    public int DecodeItems { get; init; } = 200;
    /// <summary>In-distribution items of the causal test; null = MaxItemsPerSplit.</summary>
    public int? CausalItems { get; init; }
    /// <summary>Noise norms of the causal test (the paper: 0, 5, 10, 30).</summary>
    public double[] CausalNorms { get; init; } = [0, 5, 10, 30];
    /// <summary>Multiply the norms by the mean per-token residual norm at the noise block (for models unlike GPT-2-large).</summary>
    public bool CausalNormsRelative { get; init; }
    /// <summary>Held-out windows for perplexity (before / after).</summary>
    public int PerplexityWindows { get; init; } = 64;
    /// <summary>Window length for perplexity; null = min(n_positions, 256).</summary>
    public int? PerplexityWindowLength { get; init; }
    public int BatchSize { get; init; } = 32;
}
