using F = TorchSharp.torch.nn.functional;
using System.Diagnostics;
using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

public enum InjectionStop { Finished, Cancelled }
