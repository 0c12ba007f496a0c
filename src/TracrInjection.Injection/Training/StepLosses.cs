using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

/// <summary>The three loss terms of one step (algorithm 0 for the baseline, KL 0 when off).</summary>
public sealed record StepLosses(double Ce, double Kl, double Algorithm, int Tokens)
{
    public double Total => Ce + Kl + Algorithm;
    /// <summary>Seconds spent per phase of the step (teacher, supervised, kl, update), when measured.</summary>
    public StepTimings? Timings { get; init; }
}
