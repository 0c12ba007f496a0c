using TracrInjection.Models.Gpt2;

namespace TracrInjection.Injection.Pretraining;

/// <summary>
/// Everything that determines a pretraining run. It is stored in the run's state, so a resumed
/// run continues with exactly these settings.
/// </summary>
public sealed record PretrainingOptions
{
    // Model shape (GPT-2 architecture, GPT-2 vocabulary, tied embeddings).
    public int NLayer { get; init; } = 4;
    public int NHead { get; init; } = 4;
    public int NEmbd { get; init; } = 256;
    /// <summary>Training sequence length, which is also the model's n_positions.</summary>
    public int ContextLength { get; init; } = 128;
    public int VocabSize { get; init; } = 50257;
    public double Dropout { get; init; }
    /// <summary>
    /// An HF GPT-2 folder of the same width, heads and context but fewer layers to start from,
    /// grown to <see cref="NLayer"/> blocks without changing its function (<see cref="Gpt2DepthGrowth"/>);
    /// null: a fresh initialisation. Recorded as given; a resumed run never reads it again.
    /// </summary>
    public string? GrowFrom { get; init; }

    // Optimisation.
    /// <summary>Sequences per optimizer step (each <see cref="ContextLength"/> tokens).</summary>
    public int BatchSize { get; init; } = 16;
    public double PeakLearningRate { get; init; } = 2e-3;
    /// <summary>The cosine decay ends at PeakLearningRate × this.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Steps of the run; 0 means "decide from <see cref="Minutes"/> after measuring the step time".</summary>
    public long TotalSteps { get; init; }
    /// <summary>Wall-time budget used to choose <see cref="TotalSteps"/> when that is 0.</summary>
    public double? Minutes { get; init; }
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Gradients are rescaled to at most this global L2 norm; 0 turns clipping off.</summary>
    public double GradientClip { get; init; } = 1.0;
    /// <summary>
    /// Compute the unembedding (the [tokens × n_embd] × [n_embd × 50257] product that dominates a
    /// small GPT-2's cost) in bfloat16; weights, loss and optimizer stay float32.
    /// </summary>
    public bool BFloat16Unembedding { get; init; } = true;

    // Bookkeeping.
    public long Seed { get; init; } = 1234;
    /// <summary>Average train loss is recorded every this many steps.</summary>
    public int LogInterval { get; init; } = 10;
    /// <summary>Held-out loss on <see cref="EvalSequences"/> windows every this many steps (0: only at the end).</summary>
    public int EvalInterval { get; init; } = 200;
    public int EvalSequences { get; init; } = 64;
    /// <summary>Checkpoint every this many steps (0: only by time and at the end).</summary>
    public int CheckpointInterval { get; init; }
    /// <summary>Checkpoint when this many minutes passed since the last one (0: off).</summary>
    public double CheckpointMinutes { get; init; } = 5;
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Torch intra-op threads; null: all cores.</summary>
    public int? Threads { get; init; }

    public long TokensPerStep => (long)BatchSize * ContextLength;

    public Gpt2Config ModelConfig() => new()
    {
        NLayer = NLayer, NHead = NHead, NEmbd = NEmbd, NPositions = ContextLength, VocabSize = VocabSize,
        ResidPdrop = Dropout, EmbdPdrop = Dropout, AttnPdrop = Dropout,
    };

    public void Validate()
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        ModelConfig().Validate();
        Require(BatchSize >= 1, $"batch size must be at least 1 (got {BatchSize}).");
        Require(ContextLength >= 2, $"context length must be at least 2 (got {ContextLength}).");
        Require(PeakLearningRate > 0 && double.IsFinite(PeakLearningRate), $"learning rate must be positive (got {PeakLearningRate}).");
        Require(MinLearningRateRatio is >= 0 and <= 1, $"min learning-rate ratio must be in [0, 1] (got {MinLearningRateRatio}).");
        Require(WarmupSteps >= 0, $"warmup steps must be non-negative (got {WarmupSteps}).");
        Require(TotalSteps > 0 || Minutes > 0, "give a number of steps or a time budget in minutes.");
        Require(TotalSteps >= 0, $"steps must be positive (got {TotalSteps}).");
        Require(Minutes is null || Minutes > 0, $"minutes must be positive (got {Minutes}).");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Adam betas must be in [0, 1).");
        Require(GradientClip >= 0, "gradient clip must be non-negative.");
        Require(LogInterval >= 1, "log interval must be at least 1.");
        Require(EvalInterval >= 0 && CheckpointInterval >= 0 && CheckpointMinutes >= 0, "intervals must be non-negative.");
        Require(EvalSequences >= 1, "eval sequences must be at least 1.");
        Require(KeepCheckpoints >= 1, "keep at least one checkpoint.");
    }
}
