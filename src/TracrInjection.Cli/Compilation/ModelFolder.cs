using System.Globalization;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Cli.Compilation;

/// <summary>Model folders as the command line writes them: the same metadata from <c>compile</c> and from the REPL.</summary>
public static class ModelFolder
{
    /// <summary>The metadata key of a program's RASP text (for <c>verify --model</c>), stored when it came from a .rasp file.</summary>
    public const string ProgramTextKey = "program_text";

    public static void Save(CompiledModel model, string outDir, string program, string source, string createdBy, double compileSeconds,
        bool dense = false, string? programText = null)
    {
        var meta = new Dictionary<string, string>
        {
            ["program"] = program,
            ["source"] = source,
            ["created_by"] = createdBy,
            ["compile_seconds"] = compileSeconds.ToString("0.000", CultureInfo.InvariantCulture),
        };
        if (programText is not null) meta[ProgramTextKey] = programText;
        CompiledModelStore.Save(model, outDir, meta, dense);
    }
}
