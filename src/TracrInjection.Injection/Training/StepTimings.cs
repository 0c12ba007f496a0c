using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

/// <summary>Where a step's time goes (seconds): teacher forward + translation, supervised forward and losses, KL forwards, backward, AdamW update.</summary>
public sealed record StepTimings(double Teacher, double Supervised, double Kl, double Backward, double Update);
