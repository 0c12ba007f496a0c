using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

/// <summary>A loss became NaN or infinite; the run stopped before the bad update, its last checkpoint is intact.</summary>
public sealed class InjectionDivergedException(string message, long step, string? lastCheckpoint) : Exception(message)
{
    public long Step { get; } = step;
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
