using System.Globalization;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Cli.Compilation;

/// <summary>Model folders as the command line writes them: the same metadata from <c>compile</c> and from the REPL.</summary>
public static class ModelFolder
{
    public static void Save(CompiledModel model, string outDir, string program, string source, string createdBy, double compileSeconds, bool dense = false) =>
        CompiledModelStore.Save(model, outDir, new Dictionary<string, string>
        {
            ["program"] = program,
            ["source"] = source,
            ["created_by"] = createdBy,
            ["compile_seconds"] = compileSeconds.ToString("0.000", CultureInfo.InvariantCulture),
        }, dense);
}
