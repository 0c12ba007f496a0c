using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli;

/// <summary>A compiled model and where it came from.</summary>
public sealed record LoadedModel(CompiledModel Model, string Source, string? ProgramId, double CompileSeconds);

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

    public Option<string> Vocab { get; } = new("--vocab")
    {
        Description = "With --program: comma-separated vocabulary overriding the registered/header one.",
        HelpName = "a,b,c",
    };

    public Option<int?> MaxSeqLen { get; } = new("--max-seq-len") { Description = "With --program: maximum sequence length N.", HelpName = "N" };

    public Option<bool?> Causal { get; } = new("--causal") { Description = "With --program: compile with a causal mask (--causal or --causal false)." };

    public Option<bool> FixTracrBugs { get; } = new("--fix-tracr-bugs") { Description = "With --program: compile with the tracr-bug fixes (fix mode)." };

    public void AddTo(Command command)
    {
        command.Options.Add(FixTracrBugs);
        command.Options.Add(Model);
        command.Options.Add(Program);
        command.Options.Add(Vocab);
        command.Options.Add(MaxSeqLen);
        command.Options.Add(Causal);
    }

    public LoadedModel Resolve(ParseResult parse)
    {
        string? dir = parse.GetValue(Model);
        string? id = parse.GetValue(Program);
        if (dir is not null && id is not null) throw new CliException("give either --model or --program, not both");
        if (dir is null && id is null) throw new CliException("give --model DIR or --program ID|FILE.rasp");
        if (dir is not null)
        {
            if (parse.GetValue(Vocab) is not null || parse.GetValue(MaxSeqLen) is not null || parse.GetValue(Causal) is not null || parse.GetValue(FixTracrBugs))
                throw new CliException("--vocab, --max-seq-len, --causal and --fix-tracr-bugs apply to --program, not to a compiled --model");
            var model = CompiledModelStore.Load(dir);
            var meta = CompiledModelStore.ReadMetadata(dir);
            return new LoadedModel(model, $"model folder '{dir}'", meta.GetValueOrDefault("program"), 0);
        }
        var spec = Compile.Spec(id!);
        var options = Compile.DefaultOptions(spec);
        if (parse.GetValue(Vocab) is { } v) options = options with { Vocab = Compile.ParseVocab(v, spec) };
        if (parse.GetValue(MaxSeqLen) is int n)
        {
            if (n < 1) throw new CliException($"--max-seq-len must be at least 1 (got {n})");
            options = options with { MaxSeqLen = n };
        }
        if (parse.GetValue(Causal) is bool c) options = options with { Causal = c };
        if (parse.GetValue(FixTracrBugs)) options = options with { FixTracrBugs = true };
        return Compile.Run(spec, options);
    }
}

/// <summary>Compiling registered programs with their settings, plus command-line overrides.</summary>
public static class Compile
{
    public static ProgramSpec Spec(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new CliException("--program needs a program id (see 'programs') or a .rasp file");
        if (IsRaspFile(id)) return RaspFile(id);
        var spec = ProgramRegistry.Get(id); // KeyNotFoundException names close ids
        return spec;
    }

    /// <summary>A path ending in .rasp, or an existing file that is not a registered id.</summary>
    public static bool IsRaspFile(string id) =>
        id.EndsWith(".rasp", StringComparison.OrdinalIgnoreCase) || (!ProgramRegistry.TryGet(id, out _) && File.Exists(id));

    /// <summary>
    /// A RASP file as a program spec (settings from its header). Errors in the file become one
    /// <c>error: file:line:col: message</c> line, followed on stderr by the source line and a caret.
    /// </summary>
    public static ProgramSpec RaspFile(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"program file '{path}' is a folder");
        if (!File.Exists(path)) throw new CliException($"program file '{path}' does not exist");
        try
        {
            return RaspProgramText.ParseFile(path).ToProgramSpec();
        }
        catch (RaspProgramException e)
        {
            throw new CliException(e.Message) { Detail = string.Join("\n", e.Formatted.Split('\n').Skip(1)) };
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }

    public static CompilerOptions DefaultOptions(ProgramSpec spec) => CompilerOptions.For(spec);

    public static LoadedModel Run(ProgramSpec spec, CompilerOptions options)
    {
        if (options.Vocab.Count == 0)
            throw new CliException($"program '{spec.Source}' has no vocabulary: add '# vocab: a, b, c' to its header or give --vocab");
        if (options.MaxSeqLen < 1)
            throw new CliException($"program '{spec.Source}' has no max_seq_len: add '# max_seq_len: N' to its header or give --max-seq-len");
        var sw = Stopwatch.StartNew();
        CompiledModel model;
        try
        {
            model = RaspCompiler.Compile(spec.Build(), options);
        }
        catch (CompilationException e)
        {
            throw new CliException($"cannot compile program '{spec.Id}': {CliApp.OneLine(e.Message)}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The program's own functions raised (e.g. a Python TypeError on a vocabulary of the wrong type).
            string kind = e.GetType().Name is var n && n.StartsWith("Py", StringComparison.Ordinal) ? n[2..] : n;
            throw new CliException($"cannot compile program '{spec.Id}' with these settings: {kind}: {CliApp.OneLine(e.Message)}");
        }
        return new LoadedModel(model, $"program '{spec.Id}'", spec.Id, sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Parses <c>--vocab a,b,c</c>: with a registered vocabulary of strings the items stay strings (kept verbatim,
    /// spaces included); otherwise each item (trimmed) is read as a Python literal (int, float, True/False, else str).
    /// </summary>
    public static IReadOnlyList<Value> ParseVocab(string text, ProgramSpec spec)
    {
        // A .rasp file without a header vocabulary has none: its items are then read as literals too.
        bool strings = spec.Vocab.Count > 0 && spec.Vocab.All(v => v.IsString);
        var items = text.Split(',');
        var values = new List<Value>();
        var seen = new HashSet<Value>();
        foreach (var raw in items)
        {
            string item = strings ? raw : raw.Trim();
            if (item.Length == 0) throw new CliException($"--vocab '{text}' has an empty item");
            var v = strings ? Value.Str(item) : Value.ParseLiteral(item);
            if (!seen.Add(v)) throw new CliException($"--vocab lists {v.Repr()} twice");
            values.Add(v);
        }
        return values;
    }
}

/// <summary>Token sequences from <c>--input</c> or <c>--inputs FILE</c>.</summary>
public static class Inputs
{
    /// <summary>
    /// Space-separated tokens (runs of spaces count as one separator), or a JSON array of tokens when the text starts
    /// with <c>[</c>, which is how a token that is itself a space (the paper's sum vocabulary has <c>' '</c>) is given.
    /// </summary>
    public static Value[] Split(string line)
    {
        var trimmed = line.TrimStart();
        if (!trimmed.StartsWith('[')) return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Value.Str).ToArray();
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(trimmed);
            return doc.RootElement.EnumerateArray().Select(e => e.ValueKind switch
            {
                System.Text.Json.JsonValueKind.String => Value.Str(e.GetString()!),
                System.Text.Json.JsonValueKind.Number => Value.Str(e.GetRawText()),
                System.Text.Json.JsonValueKind.True => Value.Str("True"),
                System.Text.Json.JsonValueKind.False => Value.Str("False"),
                _ => throw new CliException($"input token {e.GetRawText()} must be a JSON string or number"),
            }).ToArray();
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"input starts with '[' but is not a JSON array of tokens: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            throw new CliException("input starts with '[' but is not a JSON array of tokens");
        }
    }

    /// <summary>One sequence per non-blank line of <paramref name="path"/>; the line numbers are kept for messages.</summary>
    public static List<(int Line, Value[] Tokens)> ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (FileNotFoundException)
        {
            throw new CliException($"inputs file '{path}' does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliException($"inputs file '{path}' does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read inputs file '{path}': {e.Message}");
        }
        var result = new List<(int, Value[])>();
        for (int i = 0; i < lines.Length; i++)
            if (!string.IsNullOrWhiteSpace(lines[i])) result.Add((i + 1, Split(lines[i])));
        if (result.Count == 0) throw new CliException($"inputs file '{path}' holds no sequences");
        return result;
    }

    /// <summary>Encodes with the model's vocabulary; errors name the input (line) and the token.</summary>
    public static int[] Encode(CompiledModel model, Value[] tokens, string? where)
    {
        try
        {
            return model.Encode(tokens);
        }
        catch (ArgumentException e)
        {
            throw new CliException(where is null ? e.Message : $"{where}: {e.Message}");
        }
    }

    public static string Show(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";
}
