using F = TorchSharp.torch.nn.functional;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

public enum InjectionStop { Finished, Cancelled }
