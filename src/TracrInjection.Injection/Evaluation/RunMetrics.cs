using System.Text.Json;
using TracrInjection.Injection.Options;

namespace TracrInjection.Injection.Evaluation;

/// <summary>Everything <c>evaluate</c> measures on a run (metrics.json).</summary>
public sealed record RunMetrics
{
    public required string Task { get; init; }
    public required string Run { get; init; }
    /// <summary>"injection" or "baseline".</summary>
    public required string Method { get; init; }
    public required string Preset { get; init; }
    public required IReadOnlyList<AblationEntry> Ablations { get; init; }
    public required long Steps { get; init; }
    public double TrainingSeconds { get; init; }
    public required string Model { get; init; }
    public int ModelLayers { get; init; }
    public int ModelWidth { get; init; }
    public int TeacherLayers { get; init; }
    public int TeacherWidth { get; init; }
    public string? Alignment { get; init; }
    /// <summary>Exact-match accuracy per split: in_distribution first, then the OOD splits.</summary>
    public required IReadOnlyDictionary<string, double> Accuracy { get; init; }
    public required IReadOnlyDictionary<string, AccuracyResult> AccuracyDetails { get; init; }
    /// <summary>count: in-distribution accuracy by number of answer digits (paper.md §7 asks for both).</summary>
    public IReadOnlyDictionary<string, double>? AccuracyByAnswerDigits { get; init; }
    public PerplexityMetrics? Perplexity { get; init; }
    public DecodabilityMetrics? Decodability { get; init; }
    public CausalMetrics? Causal { get; init; }
    /// <summary>The causal test at the paper's absolute norms, when the main one used relative norms.</summary>
    public CausalMetrics? CausalAbsolute { get; init; }
    /// <summary>lm-eval before and after (null when not measured).</summary>
    public RetainedAbilityMetrics? RetainedAbility { get; init; }
    public IReadOnlyDictionary<string, double>? FinalLosses { get; init; }
    public double EvaluationSeconds { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, InjectionOptions.Json);

    public static RunMetrics FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunMetrics>(json, InjectionOptions.Json) ?? throw new InvalidDataException($"'{source}' is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{source}' is not a metrics file: {ex.Message}");
        }
    }
}
