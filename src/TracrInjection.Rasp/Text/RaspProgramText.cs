using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

/// <summary>Options for reading a RASP program.</summary>
public sealed record RaspParseOptions
{
    /// <summary>The variable to use as the program's output (overrides the header's <c>output</c>).</summary>
    public string? OutputName { get; init; }

    /// <summary>Where <c>load</c>ed files come from (and their remembered texts); a new one by default.</summary>
    public RaspSources? Sources { get; init; }

    /// <summary>Read the <c># key: value</c> header (false for text that is not a file, e.g. a REPL session).</summary>
    public bool ReadHeader { get; init; } = true;
}

/// <summary>
/// Reads RASP programs written as text (<c>.rasp</c> files). See <c>docs/rasp-language.md</c> for the language.
/// Every parse runs in a fresh <see cref="IdScope"/>, as <see cref="ProgramSpec.Build"/> does, so labels such as
/// <c>map_3</c> come out as for a fresh Python process building the same program.
/// </summary>
public static class RaspProgramText
{
    /// <summary>Reads and runs a file. Throws <see cref="RaspProgramException"/> (with line and column) for errors in it.</summary>
    public static ParsedProgram ParseFile(string path, RaspParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string text = File.ReadAllText(full);
        var sources = options?.Sources ?? new RaspSources();
        sources.Remember(full, text);
        var file = new SourceFile(path, text, Path.GetDirectoryName(full));
        return Run(file, (options ?? new RaspParseOptions()) with { Sources = sources });
    }

    /// <summary>
    /// Reads and runs program text. <paramref name="directory"/> is where relative <c>load</c>s start (default: the
    /// current directory).
    /// </summary>
    public static ParsedProgram Parse(string text, string fileName = "<text>", RaspParseOptions? options = null, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var file = new SourceFile(fileName, text, directory);
        return Run(file, (options ?? new RaspParseOptions()) with { Sources = options?.Sources ?? new RaspSources() });
    }

    /// <summary>Parses the text without running it (syntax check only).</summary>
    public static IReadOnlyList<Stmt> ParseSyntax(string text, string fileName = "<text>") =>
        Parser.ParseProgram(new SourceFile(fileName, text));

    internal static ParsedProgram Run(SourceFile file, RaspParseOptions options)
    {
        using (IdScope.Begin())
        {
            var header = options.ReadHeader ? ProgramHeader.Parse(file) : new ProgramHeader();
            var statements = Parser.ParseProgram(file);
            var interp = new Interpreter(options.Sources!);
            interp.SetMainFile(file);
            var module = interp.NewModule();
            var effects = new List<StatementEffect>();
            AssignedEffect? lastSop = null;
            foreach (var stmt in statements)
            {
                var effect = interp.ExecTopLevel(stmt, module);
                effects.Add(effect);
                if (effect is AssignedEffect { Value: SOp } a && stmt is AssignStmt { Targets.Count: 1 }) lastSop = a;
            }

            string? outputName = options.OutputName ?? header.Output;
            SOp? output = null;
            if (outputName is not null)
            {
                var pos = options.OutputName is null && header.OutputPos is { } hp ? hp : new SourcePos(file, 1, 1);
                if (!module.Vars.TryGetValue(outputName, out var v))
                    throw new RaspEvaluationException(pos, $"the output '{outputName}' is not defined in {file.Name}");
                output = v as SOp ?? throw new RaspEvaluationException(pos,
                    $"the output '{outputName}' is a {Runtime.TypeName(v)}; a program's output must be an SOp");
            }
            else if (lastSop is not null)
            {
                outputName = lastSop.Name;
                output = (SOp)lastSop.Value;
            }
            return new ParsedProgram(file, header, output, outputName, module, effects, interp.LoadedFiles, options);
        }
    }
}

/// <summary>A RASP program read from text: its output SOp, every top-level name, and the header settings.</summary>
public sealed class ParsedProgram
{
    private readonly RaspParseOptions _options;
    private readonly Scope _module;

    internal ParsedProgram(SourceFile source, ProgramHeader header, SOp? output, string? outputName, Scope module,
        IReadOnlyList<StatementEffect> effects, IReadOnlyList<string> loadedFiles, RaspParseOptions options)
    {
        Source = source;
        Header = header;
        Output = output;
        OutputName = outputName;
        _module = module;
        Effects = effects;
        LoadedFiles = loadedFiles;
        _options = options;
    }

    public SourceFile Source { get; }
    public string FileName => Source.Name;
    public ProgramHeader Header { get; }

    /// <summary>
    /// The output: the header's <c>output</c> (or <see cref="RaspParseOptions.OutputName"/>), else the SOp of the last
    /// top-level assignment of an SOp in the main file; null if there is none.
    /// </summary>
    public SOp? Output { get; }
    public string? OutputName { get; }

    /// <summary>Every top-level name of the main file (loaded files' public names included): SOps, selectors, values, functions.</summary>
    public IReadOnlyDictionary<string, object> Globals => _module.Vars;

    /// <summary>The SOps and selectors among <see cref="Globals"/>.</summary>
    public IReadOnlyDictionary<string, RaspExpr> Expressions =>
        _module.Vars.Where(kv => kv.Value is RaspExpr).ToDictionary(kv => kv.Key, kv => (RaspExpr)kv.Value, StringComparer.Ordinal);

    /// <summary>What each top-level statement did, in order.</summary>
    public IReadOnlyList<StatementEffect> Effects { get; }

    public IReadOnlyList<string> LoadedFiles { get; }

    /// <summary>The output, or an <see cref="InvalidOperationException"/> that says how to name one.</summary>
    public SOp RequireOutput() => Output ?? throw new InvalidOperationException(
        $"{FileName} has no output: it assigns no SOp at the top level (add '# output: NAME' to the header)");

    /// <summary>
    /// Runs the same text again (same loaded texts) in a fresh id scope: new expression objects whose labels are
    /// drawn from 1, as <see cref="ProgramSpec.Build"/> gives for a C# program. Optionally with another output.
    /// </summary>
    public ParsedProgram Rebuild(string? outputName = null) =>
        RaspProgramText.Run(Source, _options with { OutputName = outputName ?? _options.OutputName });

    /// <summary>
    /// A <see cref="ProgramSpec"/> whose factory rebuilds this program (fresh ids each time), with the header's
    /// settings unless overridden. Without a vocabulary or max_seq_len (neither in the header nor given) the spec has
    /// an empty vocabulary / max_seq_len 0, which the caller must override before compiling.
    /// </summary>
    public ProgramSpec ToProgramSpec(string? id = null, IReadOnlyList<Value>? vocab = null, int? maxSeqLen = null, bool? causal = null)
    {
        var settings = Header.ApplyTo(CompilerOptions.Unset);
        return ToProgramSpec(id, settings with
        {
            Vocab = vocab ?? settings.Vocab,
            MaxSeqLen = maxSeqLen ?? settings.MaxSeqLen,
            Causal = causal ?? settings.Causal,
        });
    }

    /// <summary>A <see cref="ProgramSpec"/> of this program compiled with exactly <paramref name="settings"/>.</summary>
    public ProgramSpec ToProgramSpec(string? id, CompilerOptions settings)
    {
        RequireOutput();
        string name = OutputName!;
        return new ProgramSpec(
            id ?? Path.GetFileNameWithoutExtension(FileName),
            FileName,
            Header.Description ?? $"RASP program {FileName} (output {name})",
            settings,
            _ => Rebuild(name).RequireOutput());
    }
}
