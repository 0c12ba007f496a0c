using System.Text.Json.Serialization;
using System.Text.Json;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;

namespace TracrInjection.Injection.Options;

/// <summary>
/// Everything that determines an injection (or baseline) training run; stored in the run folder's config.json,
/// so a resumed run continues with exactly these settings. Defaults are the paper's (paper.md §2.4–§2.7).
/// </summary>
public sealed record InjectionOptions
{
    /// <summary>sum, count, dyck, or <c>program:&lt;name&gt;</c> for a <see cref="Program"/> task.</summary>
    public string Task { get; init; } = "dyck";
    /// <summary>A task made from a RASP program (<c>inject --program</c>); null for the paper's tasks.</summary>
    public ProgramTaskSpec? Program { get; init; }
    public InjectionPreset Preset { get; init; } = InjectionPreset.Paper;
    /// <summary>The quirks fixed in this run (the preset's, possibly changed one by one for ablations).</summary>
    public InjectionFixes Fixes { get; init; } = InjectionFixes.None;

    /// <summary>The baseline: answer CE + KL only (no algorithm loss, hence no detach-and-roll), paper §2.9.</summary>
    public bool Baseline { get; init; }
    /// <summary>Detach-and-roll at block L (only with the algorithm loss, as in the paper).</summary>
    public bool DetachAndRoll { get; init; } = true;
    /// <summary>
    /// Detach-and-roll starts at this step (0 = the paper: from the first step). Starting it from a random adapter
    /// forces the answer through a 2-dimensional random subspace before the model has learnt anything there; on
    /// small models that stalls the answer loss at chance, while a warm-up lets the alignment place the output
    /// variable first and the roll then moves the answer into it (measured on dyck: docs/injection.md).
    /// </summary>
    public long RollWarmupSteps { get; init; }
    /// <summary>Project onto the final-result rows of the adapter only (<c>--only_result_subspace</c>, default true).</summary>
    public bool OnlyResultSubspace { get; init; } = true;
    /// <summary>KL(original ‖ model) on unsupervised text.</summary>
    public bool KlLoss { get; init; } = true;
    public double AlgorithmLossMultiplier { get; init; } = 1;

    /// <summary>Optimizer steps (the paper: 20,000).</summary>
    public long Steps { get; init; } = 20_000;
    /// <summary>Supervised examples per step. The paper's code default is 2 (§2.6: unlikely for the paper runs; 12–16 plausible).</summary>
    public int BatchSize { get; init; } = 12;
    /// <summary>KL windows per step (the paper uses the supervised batch size).</summary>
    public int? KlBatchSize { get; init; }
    /// <summary>KL window length in tokens (the paper's <c>--max_sequence_length</c>, 30).</summary>
    public int KlSequenceLength { get; init; } = 30;
    /// <summary>Use every window of each KL document (the paper uses each document's first window only).</summary>
    public bool KlAllWindows { get; init; }
    /// <summary>
    /// The frozen copy runs in training mode (dropout on), as under Lightning in the paper; off: eval mode. Only
    /// matters for models with dropout.
    /// </summary>
    public bool FrozenModelTrainMode { get; init; } = true;
    /// <summary>Supervised sequence length (pad/truncate); null = the task's paper value (15/47/37). Ignored with no_truncation.</summary>
    public int? MaxLength { get; init; }

    /// <summary>LM learning rate (the paper: 1e-6, hard-coded). Small models need larger ones.</summary>
    public double LmLearningRate { get; init; } = 1e-6;
    /// <summary>Adapter learning rate (the paper: 1e-4).</summary>
    public double AdapterLearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Clip the global gradient norm (LM and adapter together) to this; 0 = off (the paper: no clipping).</summary>
    public double GradientClip { get; init; }
    /// <summary>Linear learning-rate warmup over this many steps; 0 = none (the paper: no schedule).</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Train the token and position embeddings (the paper fine-tunes every parameter). Off saves most of the update's cost on small models.</summary>
    public bool TrainEmbeddings { get; init; } = true;

    public long Seed { get; init; } = 42;
    public TaskDataOptions Data { get; init; } = new();

    public LayerMappingMode LayerMapping { get; init; } = LayerMappingMode.Auto;
    /// <summary>Teacher positions; null = the task's (sum 16, count 120, dyck 40 or 48).</summary>
    public int? TeacherMaxSeqLen { get; init; }
    /// <summary>Held-out corpus folder (heldout.txt); null = the repository's data/corpus.</summary>
    public string? CorpusDirectory { get; init; }

    public int CheckpointInterval { get; init; } = 500;
    public int KeepCheckpoints { get; init; } = 2;
    public int LogInterval { get; init; } = 10;
    /// <summary>Teacher-forced answer-token accuracy on the validation items every this many steps (the paper: 100; 0 = never).</summary>
    public int ValidationInterval { get; init; } = 100;
    /// <summary>Torch intra-op threads; null = leave as is.</summary>
    public int? Threads { get; init; }
    /// <summary>Torch device of the models and the teacher ("cpu", "cuda", "cuda:1"; CUDA needs a TorchSharp CUDA build).</summary>
    public string Device { get; init; } = "cpu";

    public EvaluationOptions Evaluation { get; init; } = new();

    [JsonIgnore] public bool AlgorithmLoss => !Baseline;
    [JsonIgnore] public bool UsesDetachAndRoll => AlgorithmLoss && DetachAndRoll;
    /// <summary>Whether detach-and-roll is applied at 0-based step <paramref name="step"/>.</summary>
    public bool RollsAt(long step) => UsesDetachAndRoll && step >= RollWarmupSteps;
    [JsonIgnore] public int EffectiveKlBatchSize => KlBatchSize ?? BatchSize;
    [JsonIgnore] public InjectionTask TaskDefinition => Program is not null ? InjectionTask.ForProgram(Program) : InjectionTask.Get(Task);
    [JsonIgnore] public int EffectiveTeacherMaxSeqLen => TeacherMaxSeqLen ?? TaskDefinition.TeacherMaxSeqLen(Fixes);
    [JsonIgnore] public int? EffectiveMaxLength => Fixes.NoTruncation ? null : MaxLength ?? TaskDefinition.PaperMaxLength;

    /// <summary>The preset's settings: the paper's, or every fix on (eval-mode KL target, all KL windows).</summary>
    /// <summary>The preset's settings for a RASP program task.</summary>
    public static InjectionOptions ForPreset(InjectionPreset preset, ProgramTaskSpec program) =>
        ForPreset(preset, "dyck") with { Task = InjectionTask.ProgramPrefix + program.Name, Program = program };

    public static InjectionOptions ForPreset(InjectionPreset preset, string task) => preset == InjectionPreset.Paper
        ? new InjectionOptions { Task = InjectionTask.Get(task).Name, Preset = preset, Fixes = InjectionFixes.None }
        : new InjectionOptions
        {
            Task = InjectionTask.Get(task).Name, Preset = preset, Fixes = InjectionFixes.All,
            KlAllWindows = true, FrozenModelTrainMode = false, BatchSize = 16,
            Evaluation = new EvaluationOptions { CausalNormsRelative = true, CausalNorms = [0, 0.25, 0.5, 1, 2] },
        };

    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        var task = TaskDefinition;
        if (task.Program is { } program)
            Require(TeacherMaxSeqLen is null || TeacherMaxSeqLen >= program.MaxLength,
                $"the teacher must be compiled for at least the max input length {program.MaxLength} (got {TeacherMaxSeqLen})");
        Require(Steps >= 1, $"steps must be at least 1 (got {Steps})");
        Require(BatchSize >= 1, $"batch size must be at least 1 (got {BatchSize})");
        Require(EffectiveKlBatchSize >= 1, $"KL batch size must be at least 1 (got {EffectiveKlBatchSize})");
        Require(KlSequenceLength >= 2, $"KL sequence length must be at least 2 (got {KlSequenceLength})");
        Require(LmLearningRate >= 0 && double.IsFinite(LmLearningRate), $"LM learning rate must be a non-negative number (got {LmLearningRate})");
        Require(AdapterLearningRate >= 0 && double.IsFinite(AdapterLearningRate), $"adapter learning rate must be a non-negative number (got {AdapterLearningRate})");
        Require(WeightDecay >= 0, $"weight decay must be non-negative (got {WeightDecay})");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Adam betas must be in [0, 1)");
        Require(CheckpointInterval >= 0 && LogInterval >= 1 && ValidationInterval >= 0, "intervals must be non-negative (log interval at least 1)");
        Require(KeepCheckpoints >= 1, "keep at least one checkpoint");
        Require(GradientClip >= 0 && WarmupSteps >= 0, "gradient clip and warmup steps must be non-negative");
        Require(MaxLength is null or >= 4, $"max length must be at least 4 (got {MaxLength})");
        Require(Data.PoolSize is null or >= 200, $"the data pool needs at least 200 items (got {Data.PoolSize})");
        Require(AlgorithmLossMultiplier >= 0, "the algorithm loss multiplier must be non-negative");
        Require(RollWarmupSteps >= 0, $"roll warm-up steps must be non-negative (got {RollWarmupSteps})");
    }

    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static InjectionOptions FromJson(string json) =>
        JsonSerializer.Deserialize<InjectionOptions>(json, Json) ?? throw new InvalidDataException("empty injection config");
}
