using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

public sealed record InjectionProgress(long Step, long TotalSteps, StepLosses Losses, double StepsPerSecond, double TokensPerSecond, double? ValidationAccuracy);
