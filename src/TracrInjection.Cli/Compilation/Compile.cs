using System.Diagnostics;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Compilation;

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

    private static readonly object CacheLock = new();
    private static (string Key, CompiledModel Model)? _lastCompiled;

    /// <summary>
    /// The one compile path of the command line and the REPL. <paramref name="subject"/> names the program in messages
    /// (default <c>program 'ID'</c>). With a <paramref name="cacheKey"/> (the REPL: the session's text and the
    /// output's name) the model of the last identical request is reused, so that <c>compile x</c> then
    /// <c>trace x</c> compiles once.
    /// </summary>
    public static LoadedModel Run(ProgramSpec spec, CompilerOptions options, string? subject = null, string? cacheKey = null)
    {
        subject ??= $"program '{spec.Id}'";
        if (options.Vocab.Count == 0)
            throw new CliException($"program '{spec.Source}' has no vocabulary: add '# vocab: a, b, c' to its header or give --vocab");
        if (options.MaxSeqLen < 1)
            throw new CliException($"program '{spec.Source}' has no max_seq_len: add '# max_seq_len: N' to its header or give --max-seq-len");
        string? key = cacheKey is null ? null : cacheKey + "\n" + options.Key();
        lock (CacheLock)
        {
            if (key is not null && _lastCompiled is { } last && last.Key == key)
                return new LoadedModel(last.Model, $"program '{spec.Id}'", spec.Id, 0, Cached: true);
        }
        var sw = Stopwatch.StartNew();
        CompiledModel model;
        try
        {
            model = RaspCompiler.Compile(spec.Build(), options);
        }
        catch (CompilationException e)
        {
            throw new CliException($"cannot compile {subject}: {CliApp.OneLine(e.Message)}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The program's own functions raised (e.g. a Python TypeError on a vocabulary of the wrong type).
            string kind = e.GetType().Name is var n && n.StartsWith("Py", StringComparison.Ordinal) ? n[2..] : n;
            throw new CliException($"cannot compile {subject} with these settings: {kind}: {CliApp.OneLine(e.Message)}");
        }
        if (key is not null)
            lock (CacheLock) _lastCompiled = (key, model);
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

