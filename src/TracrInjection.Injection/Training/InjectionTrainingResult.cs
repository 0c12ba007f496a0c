using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

public sealed record InjectionTrainingResult(InjectionStop Stop, long Step, string? LastCheckpoint, double TrainingSeconds);
