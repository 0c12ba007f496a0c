using System.Text.Json.Serialization;
using System.Text.Json;

namespace TracrInjection.Injection.Runs;

/// <summary>One logged training point (log.jsonl, one JSON object per line).</summary>
public sealed record TrainingLogEntry
{
    public long Step { get; init; }
    public double Ce { get; init; }
    public double Kl { get; init; }
    public double Algorithm { get; init; }
    public double Total { get; init; }
    public double StepsPerSecond { get; init; }
    public double TokensPerSecond { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ValidationAccuracy { get; init; }
}
