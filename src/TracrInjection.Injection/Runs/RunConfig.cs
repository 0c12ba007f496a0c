using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using TracrInjection.Injection.Options;

namespace TracrInjection.Injection.Runs;

/// <summary>What a run folder's config.json holds: the options plus where the starting model came from.</summary>
public sealed record RunConfig
{
    public required InjectionOptions Options { get; init; }
    /// <summary>Absolute path of the starting model folder (HF layout); the frozen KL copy is reloaded from it.</summary>
    public required string ModelDirectory { get; init; }
    /// <summary>How the model was named on the command line (a folder or "default").</summary>
    public required string ModelName { get; init; }
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
    public string? Command { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, InjectionOptions.Json);

    public static RunConfig FromJson(string json, string source) =>
        JsonSerializer.Deserialize<RunConfig>(json, InjectionOptions.Json) ?? throw new InvalidDataException($"'{source}' is empty");
}
