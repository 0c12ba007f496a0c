using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Runs;

/// <summary>Trainer state stored with each checkpoint.</summary>
public sealed record TrainerState
{
    /// <summary>Steps completed.</summary>
    public long Step { get; init; }
    /// <summary>torch's global CPU generator state (dropout), base64.</summary>
    public string? RngState { get; init; }
    public double TrainingSeconds { get; init; }
    public bool Finished { get; init; }
}
