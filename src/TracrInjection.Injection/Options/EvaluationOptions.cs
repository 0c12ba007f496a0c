
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
    /// <summary>With relative norms, also run the causal test at these absolute norms (the paper's 0, 5, 10, 30); null = not.</summary>
    public double[]? CausalAbsoluteNorms { get; init; }
    /// <summary>Measure retained language ability (<c>lm-eval</c>: perplexity, cloze, 2-shot choice) before and after.</summary>
    public bool RetainedAbility { get; init; } = true;
    /// <summary>Cloze passages of the retained-ability evaluation (lm-eval: 2,000).</summary>
    public int LanguageClozePassages { get; init; } = 2000;
    /// <summary>2-shot choice items of the retained-ability evaluation (even; lm-eval: 2,000).</summary>
    public int LanguageChoiceItems { get; init; } = 2000;
    /// <summary>Held-out perplexity windows per file of the retained-ability evaluation; null = all (the model card's).</summary>
    public int? LanguagePerplexityWindows { get; init; } = 64;
}
