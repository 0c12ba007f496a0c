using System.CommandLine;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Cli.Compilation;

/// <summary>
/// The <c>--model DIR | --program ID|FILE.rasp</c> pair shared by run, trace and inspect, with <c>--vocab</c>,
/// <c>--max-seq-len</c> and <c>--causal</c> overriding a program's registered or header settings.
/// </summary>
public sealed class ModelSource
{
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "A compiled-model folder written by 'compile' (model.safetensors + config.json).",
        HelpName = "DIR",
    };

    public Option<string> Program { get; } = new("--program", "-p")
    {
        Description = "A registered program id (see 'programs') or a RASP file (.rasp, see docs/rasp-language.md), compiled now " +
                      "with its registered or header settings.",
        HelpName = "ID|FILE.rasp",
    };

    /// <summary>With --program: <c>--vocab</c>, <c>--max-seq-len</c>, <c>--causal</c>, <c>--fix-tracr-bugs</c>.</summary>
    public CompileFlags Settings { get; } = new(all: false, prefix: "With --program: ");

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Program);
        Settings.AddTo(command);
    }

    public LoadedModel Resolve(ParseResult parse)
    {
        string? dir = parse.GetValue(Model);
        string? id = parse.GetValue(Program);
        if (dir is not null && id is not null) throw new CliException("give either --model or --program, not both");
        if (dir is null && id is null) throw new CliException("give --model DIR or --program ID|FILE.rasp");
        if (dir is not null)
        {
            if (Settings.AnyGiven(parse))
                throw new CliException("--vocab, --max-seq-len, --causal and --fix-tracr-bugs apply to --program, not to a compiled --model");
            var model = CompiledModelStore.Load(dir);
            var meta = CompiledModelStore.ReadMetadata(dir);
            return new LoadedModel(model, $"model folder '{dir}'", meta.GetValueOrDefault("program"), 0);
        }
        var spec = Compile.Spec(id!);
        var options = Settings.Apply(parse, spec);
        return Compile.Run(spec, options);
    }
}

