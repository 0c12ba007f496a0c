using System.Text.Json;
using System.Text.Json.Serialization;
using TracrInjection.Models;

namespace TracrInjection.Injection.Pretraining;

/// <summary>Mean train loss over the steps since the previous point.</summary>
public sealed record TrainLogPoint(long Step, long Tokens, double Loss, double LearningRate, double ElapsedSeconds, double TokensPerSecond);

/// <summary>Held-out loss after <see cref="Step"/> steps, over <see cref="Predictions"/> predicted tokens.</summary>
public sealed record EvalPoint(long Step, long Tokens, double Loss, long Predictions);

/// <summary>The run's end was moved from <see cref="OldTotalSteps"/> to <see cref="NewTotalSteps"/> when resuming at <see cref="AtStep"/>.</summary>
public sealed record ScheduleChange(long AtStep, long OldTotalSteps, long NewTotalSteps);

/// <summary>Where a run stands: written with every checkpoint as <c>trainer_state.json</c>.</summary>
public sealed class PretrainingState
{
    public required PretrainingOptions Options { get; set; }
    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; set; }
    /// <summary>Steps the run will take (fixed once chosen; it shapes the learning-rate schedule).</summary>
    public long TotalSteps { get; set; }
    public long TokensSeen { get; set; }
    /// <summary>Training wall time over all sessions of the run.</summary>
    public double ElapsedSeconds { get; set; }
    public double? MeasuredSecondsPerStep { get; set; }
    public required string TrainSha256 { get; set; }
    public required string HeldOutSha256 { get; set; }
    public long TrainTokens { get; set; }
    public long HeldOutTokens { get; set; }
    public string? CorpusSource { get; set; }
    /// <summary>SHA-256 of the model.safetensors the run was grown from (<see cref="PretrainingOptions.GrowFrom"/>).</summary>
    public string? GrownFromSha256 { get; set; }
    public List<TrainLogPoint> TrainLog { get; set; } = new();
    public List<EvalPoint> EvalLog { get; set; } = new();
    public List<ScheduleChange> ScheduleChanges { get; set; } = new();
    /// <summary>Held-out loss of the final model on the whole held-out stream.</summary>
    public double? FinalHeldOutLoss { get; set; }
    public long? FinalHeldOutPredictions { get; set; }
    public string? StartedUtc { get; set; }
    /// <summary>Every command line that ran this output folder (first one first).</summary>
    public List<string> Commands { get; set; } = new();

    public bool Finished => TotalSteps > 0 && Step >= TotalSteps;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static PretrainingState Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Trainer state not found: '{path}'.", path);
        try
        {
            return JsonSerializer.Deserialize<PretrainingState>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"'{path}' holds no trainer state.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid trainer state ({ex.Message}).", ex);
        }
    }
}
