using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Cli.Compilation;

/// <summary>A compiled model and where it came from; <see cref="Cached"/> when the model cache already held it.</summary>
public sealed record LoadedModel(CompiledModel Model, string Source, string? ProgramId, double CompileSeconds, bool Cached = false);
