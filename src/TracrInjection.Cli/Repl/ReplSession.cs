using System.Diagnostics;
using System.Globalization;
using System.Text;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Repl;

/// <summary>
/// The RASP read-eval-print loop (<c>tracr-inject repl</c>): statements as in a <c>.rasp</c> file, each assignment shown on
/// a running example, plus commands (no <c>;</c>) to change the example and compile/trace/run any defined SOp. Input
/// is fed line by line (<see cref="Feed"/>), so the same session serves a terminal, piped input and tests.
/// </summary>
public sealed class ReplSession
{
    private readonly TextWriter _out;
    private readonly RaspSources _sources = new();
    private readonly Interpreter _interp;
    private readonly Scope _module;
    private readonly StringBuilder _accepted = new();
    private readonly StringBuilder _buffer = new();
    private readonly List<string> _history = [];
    private readonly string _directory;
    private int _chunks;
    private Value[] _example = Chars("hello");
    private bool _showSopExamples = true;
    private bool _showSelectorExamples = true;
    private ProgramHeader _user = new();
    private ProgramHeader _file = new();
    private (string Key, CompiledModel Model)? _lastCompiled;

    public ReplSession(TextWriter output, string? directory = null)
    {
        _out = output;
        _directory = directory ?? Directory.GetCurrentDirectory();
        _interp = new Interpreter(_sources);
        _module = _interp.NewModule();
    }

    /// <summary>Every line entered (commands included), oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>">> " at the start of an input, ".. " while a statement continues.</summary>
    public string Prompt => _buffer.Length == 0 ? ">> " : ".. ";

    /// <summary>Whether a multi-line statement is being entered.</summary>
    public bool Continuing => _buffer.Length > 0;

    /// <summary>The running example (the input every SOp and selector is shown on).</summary>
    public IReadOnlyList<Value> Example => _example;

    /// <summary>Everything that ran so far (the program that <c>compile NAME</c> rebuilds).</summary>
    public string AcceptedSource => _accepted.ToString();

    public void Banner()
    {
        _out.WriteLine("tracr-inject RASP REPL: statements end with ';' (e.g. x = map(lambda x: x + 1, tokens);), 'help' lists the commands.");
        _out.WriteLine($"running example: {ReplDisplay.ShowExample(_example)}");
    }

    /// <summary>Reads lines until end of input or 'exit'. <paramref name="readLine"/> gets the prompt and returns null at the end.</summary>
    public void Run(Func<string, string?> readLine)
    {
        while (true)
        {
            string? line = readLine(Prompt);
            if (line is null)
            {
                if (Continuing) Feed(""); // finish (or report) a pending statement
                return;
            }
            if (!Feed(line)) return;
        }
    }

    /// <summary>Handles one line; false when the session should end.</summary>
    public bool Feed(string line)
    {
        try
        {
            return FeedCore(line);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _buffer.Clear();
            _out.WriteLine($"   error: {ReplDisplay.ErrorText(e)}");
            return true;
        }
    }

    private bool FeedCore(string line)
    {
        string trimmed = line.Trim();
        if (!Continuing)
        {
            if (trimmed.Length == 0) return true;
            _history.Add(line);
            if (IsCommand(trimmed)) return Command(trimmed);
            if (trimmed.StartsWith("load ", StringComparison.Ordinal) && !trimmed.EndsWith(';')) line += ";";
        }
        else if (trimmed.Length > 0) _history.Add(line);

        bool ending = Continuing && trimmed.Length == 0;
        _buffer.Append(line).Append('\n');
        string text = _buffer.ToString();
        var file = new SourceFile($"<input {_chunks + 1}>", text, _directory);
        List<Stmt> statements;
        try
        {
            statements = Parser.ParseProgram(file);
        }
        catch (RaspSyntaxException e) when (e.AtEndOfInput)
        {
            if (!ending) return true; // wait for more lines
            if (e.Detail.StartsWith("missing ';'", StringComparison.Ordinal))
            {
                // An empty line ends the statement, as if the ';' had been typed.
                text = text.TrimEnd() + ";\n";
                file = new SourceFile(file.Name, text, _directory);
                try
                {
                    statements = Parser.ParseProgram(file);
                }
                catch (RaspSyntaxException e2)
                {
                    return ReportAndReset(e2);
                }
            }
            else return ReportAndReset(e);
        }
        catch (RaspSyntaxException e)
        {
            return ReportAndReset(e);
        }
        _buffer.Clear();
        _chunks++;
        Execute(file, statements);
        return true;
    }

    private bool ReportAndReset(RaspProgramException e)
    {
        _buffer.Clear();
        _chunks++;
        WriteError(e);
        return true;
    }

    private void WriteError(RaspProgramException e)
    {
        foreach (var l in e.Formatted.Split('\n')) _out.WriteLine("   " + l);
    }

    private void Execute(SourceFile file, List<Stmt> statements)
    {
        using var _ = IdScope.Begin();
        for (int i = 0; i < statements.Count; i++)
        {
            var stmt = statements[i];
            StatementEffect effect;
            try
            {
                effect = _interp.ExecTopLevel(stmt, _module);
            }
            catch (RaspProgramException e)
            {
                WriteError(e);
                Accept(file.Text[..file.Offset(stmt.Pos.Line, stmt.Pos.Column)]);
                return;
            }
            catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError)
            {
                _out.WriteLine($"   error: {ReplDisplay.ErrorText(e)}");
                Accept(file.Text[..file.Offset(stmt.Pos.Line, stmt.Pos.Column)]);
                return;
            }
            Show(stmt, effect);
        }
        Accept(file.Text);
    }

    private void Accept(string text)
    {
        if (text.Trim().Length == 0) return;
        _accepted.Append(text.TrimEnd()).Append('\n');
        _lastCompiled = null;
    }

    // ---------------------------------------------------------------------------------------------
    // display

    private void Show(Stmt stmt, StatementEffect effect)
    {
        switch (stmt)
        {
            case AssignStmt a:
                foreach (var (name, _) in a.Targets) ShowValue(name, _module.Vars[name]);
                break;
            case ExprStmt:
                ShowValue("out", ((EvaluatedEffect)effect).Value);
                break;
            case DefStmt d:
                _out.WriteLine($"   {((DefinedEffect)effect).Function.Describe()}");
                break;
            case LoadStmt l:
            {
                var names = ((LoadedEffect)effect).Names;
                string list = names.Count <= 12 ? string.Join(", ", names) : string.Join(", ", names.Take(12)) + $", … ({names.Count} names)";
                _out.WriteLine($"   loaded \"{l.Path}\": {list}");
                AdoptHeader(l.Path);
                break;
            }
        }
    }

    private void ShowValue(string name, object value)
    {
        switch (value)
        {
            case SOp sop:
                ReplDisplay.ShowSOp(_out, name, sop, _showSopExamples ? _example : [], () => RaspEvaluator.Evaluate(sop, _example, Causal));
                break;
            case Selector sel:
                ReplDisplay.ShowSelector(_out, name, sel, _showSelectorExamples ? _example : [], () => RaspEvaluator.EvaluateSelector(sel, _example, Causal));
                break;
            case Value v:
                _out.WriteLine($"   value: {name} = {v.Repr()}");
                break;
            case Callable f:
                _out.WriteLine($"   {name} = {f.Describe()}");
                break;
            default:
                _out.WriteLine($"   {Runtime.TypeName(value)}: {name} = {Runtime.Repr(value)}");
                break;
        }
    }

    /// <summary>A loaded file's header supplies compile settings the user has not set.</summary>
    private void AdoptHeader(string path)
    {
        var resolved = _sources.Resolve(path, _directory);
        if (resolved is null) return;
        var h = ProgramHeader.Parse(resolved.Source);
        if (h.Vocab is null && h.MaxSeqLen is null && h.Causal is null && h.Bos is null && h.Pad is null && h.MlpExactness is null) return;
        _file = h;
        _out.WriteLine($"   compile settings from its header: {SettingsText()}");
    }

    // ---------------------------------------------------------------------------------------------
    // commands

    private static readonly HashSet<string> CommandWords =
        ["exit", "quit", "exit()", "quit()", "help", "history", "names", "vars", "show", "examples", "set", "compile", "trace", "run", "s-op", "selector"];

    private static bool IsCommand(string line)
    {
        if (line.EndsWith(';')) return false;
        string first = line.Split(' ', 2)[0];
        if (!CommandWords.Contains(first)) return false;
        string rest = line.Length > first.Length ? line[first.Length..].TrimStart() : "";
        return !rest.StartsWith('=') && !rest.StartsWith('(') && !rest.StartsWith('.') && !rest.StartsWith('[');
    }

    private bool Command(string line)
    {
        var words = SplitArgs(line);
        string cmd = words[0];
        switch (cmd)
        {
            case "exit" or "quit" or "exit()" or "quit()":
                return false;
            case "help":
                Help();
                return true;
            case "history":
                for (int i = 0; i < _history.Count - 1; i++) _out.WriteLine($"   {i + 1,4}  {_history[i]}");
                return true;
            case "names" or "vars":
                foreach (var (k, v) in _module.Vars.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    _out.WriteLine($"   {k}: {Kind(v)}");
                if (_module.Vars.Count == 0) _out.WriteLine("   (nothing defined yet)");
                return true;
            case "show":
                if (words.Count >= 2 && words[1] == "settings") _out.WriteLine($"   {SettingsText()}");
                else _out.WriteLine($"   example: {ReplDisplay.ShowExample(_example)}");
                return true;
            case "examples" or "s-op" or "selector":
            {
                var w = cmd == "examples" ? words : words.Skip(1).ToList();
                string? sw = w.Count == 2 && w[0] == "examples" ? w[1] : null;
                if (sw is not ("on" or "off")) { _out.WriteLine("   usage: examples on|off, s-op examples on|off, selector examples on|off"); return true; }
                if (cmd != "selector") _showSopExamples = sw == "on";
                if (cmd != "s-op") _showSelectorExamples = sw == "on";
                return true;
            }
            case "set":
                Set(line);
                return true;
            case "compile" or "trace" or "run":
                CompileCommand(cmd, words);
                return true;
        }
        return true;
    }

    private static string Kind(object v) => v switch
    {
        SOp s => $"s-op ({(s.IsNumerical ? "numerical" : "categorical")})",
        Selector => "selector",
        Value val => $"{val.TypeName} {val.Repr()}",
        Callable f => f.Describe(),
        _ => Runtime.TypeName(v),
    };

    private void Help()
    {
        _out.WriteLine("""
               RASP statements end with ';' and may span lines (the prompt shows '..'; an empty line ends a statement):
                 x = map(lambda x: x + 1, tokens);   sel = select(indices, indices, <);   def f(a) { return a * 2; }
                 load "file.rasp";                    (load "tracr_lib"; gives the bundled tracr library)
               Commands (no ';'):
                 set example "hello" | set example [1, 2, 3] | set example a b c    the running example
                 show example | show settings | examples on|off | names | history | help | exit
                 set vocab a, b, c | set max_seq_len 5 | set causal true | set bos X | set pad X | set mlp_exactness 100
                 compile NAME [--vocab a,b,c] [--max-seq-len N] [--causal [true|false]] [--bos X] [--pad X]
                              [--mlp-exactness X] [--fix-tracr-bugs] [--out DIR]
                 trace NAME [--input "a b c"] [compile options]     every variable after every layer of the compiled model
                 run NAME [--input "a b c"] [compile options]       the compiled model's output next to RASP's
               Without settings, the vocabulary is the example's tokens and max_seq_len the example's length.
            """);
    }

    private void Set(string line)
    {
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            _out.WriteLine("   usage: set example ... | set vocab ... | set max_seq_len N | set causal true|false | set bos X | set pad X | set mlp_exactness X");
            return;
        }
        string key = parts[1].ToLowerInvariant().Replace('-', '_');
        string value = parts[2].Trim();
        if (key == "example")
        {
            _example = ParseExample(value);
            _out.WriteLine($"   example: {ReplDisplay.ShowExample(_example)}");
            return;
        }
        if (key == "settings") { _out.WriteLine("   usage: set vocab|max_seq_len|causal|bos|pad|mlp_exactness VALUE"); return; }
        var header = ParseSetting(key, value, "set " + parts[1]);
        if (header is null) return;
        _user = Merge(header, _user);
        _out.WriteLine($"   {SettingsText()}");
    }

    /// <summary>One setting in header syntax (so quoting and expressions work as in a file header); null after an error.</summary>
    private ProgramHeader? ParseSetting(string key, string value, string what)
    {
        try
        {
            var file = new SourceFile(what, $"# {key}: {value}\n");
            var h = ProgramHeader.Parse(file);
            if (h == new ProgramHeader()) { _out.WriteLine($"   unknown setting '{key}' (vocab, max_seq_len, causal, bos, pad, mlp_exactness)"); return null; }
            return h;
        }
        catch (RaspProgramException e)
        {
            _out.WriteLine($"   error: {e.Detail}");
            return null;
        }
    }

    private static ProgramHeader Merge(ProgramHeader newer, ProgramHeader older) => new()
    {
        Vocab = newer.Vocab ?? older.Vocab,
        MaxSeqLen = newer.MaxSeqLen ?? older.MaxSeqLen,
        Causal = newer.Causal ?? older.Causal,
        Bos = newer.Bos ?? older.Bos,
        Pad = newer.Pad ?? older.Pad,
        MlpExactness = newer.MlpExactness ?? older.MlpExactness,
    };

    private bool Causal => _user.Causal ?? _file.Causal ?? false;

    private Value[] ParseExample(string text)
    {
        try
        {
            var file = new SourceFile("<example>", text);
            var expr = Parser.ParseExpression(file, 0, file.Text.Length, 1, 1);
            var v = _interp.Eval(expr, _module, new Interpreter.Ctx());
            var items = Interpreter.Iterate(v, new SourcePos(file, 1, 1), "use as an example");
            if (items.All(i => i is Value)) return items.Cast<Value>().ToArray();
        }
        catch (RaspProgramException) { }
        return text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Value.ParseLiteral).ToArray();
    }

    private static Value[] Chars(string s) => s.Select(c => Value.Str(c.ToString())).ToArray();

    private IReadOnlyList<Value> DefaultVocab()
    {
        var distinct = new List<Value>();
        foreach (var v in _example)
            if (!distinct.Contains(v)) distinct.Add(v);
        try
        {
            return distinct.Order(Comparer<Value>.Create((a, b) => Py.LessThan(a, b) ? -1 : Py.LessThan(b, a) ? 1 : 0)).ToList();
        }
        catch (PyTypeError)
        {
            return distinct.OrderBy(v => v.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    private string SettingsText()
    {
        var vocab = _user.Vocab ?? _file.Vocab;
        var n = _user.MaxSeqLen ?? _file.MaxSeqLen;
        return $"vocab {(vocab is null ? $"(the example's tokens: {TextOut.Abbreviate(DefaultVocab())})" : TextOut.Abbreviate(vocab))}, " +
               $"max_seq_len {(n is int k ? k.ToString(CultureInfo.InvariantCulture) : $"(the example's length: {_example.Length})")}, " +
               $"causal {(Causal ? "true" : "false")}, bos '{_user.Bos ?? _file.Bos ?? "compiler_bos"}', pad '{_user.Pad ?? _file.Pad ?? "compiler_pad"}', " +
               $"mlp_exactness {TextOut.Show(Value.Float(_user.MlpExactness ?? _file.MlpExactness ?? 100))}";
    }

    // ---- compile / trace / run ----

    private void CompileCommand(string cmd, List<string> words)
    {
        if (words.Count < 2 || words[1].StartsWith("--", StringComparison.Ordinal))
        {
            _out.WriteLine($"   usage: {cmd} NAME [options] (see help)");
            return;
        }
        string name = words[1];
        if (!_module.Vars.TryGetValue(name, out var value))
        {
            _out.WriteLine($"   error: '{name}' is not defined");
            return;
        }
        if (value is not SOp)
        {
            _out.WriteLine($"   error: '{name}' is a {Runtime.TypeName(value)}; only an SOp can be compiled");
            return;
        }
        var flags = ParseFlags(words.Skip(2).ToList(), cmd);
        if (flags is null) return;
        var (header, input, outDir, fix) = flags.Value;
        var settings = Merge(header, Merge(_user, _file));
        var tokens = input ?? _example;
        var options = new CompilerOptions
        {
            Vocab = settings.Vocab ?? DefaultVocab(),
            MaxSeqLen = settings.MaxSeqLen ?? Math.Max(_example.Length, tokens.Length),
            Causal = settings.Causal ?? false,
            CompilerBos = settings.Bos ?? "compiler_bos",
            CompilerPad = settings.Pad ?? "compiler_pad",
            MlpExactness = settings.MlpExactness ?? 100,
            FixTracrBugs = fix,
        };
        string key = $"{name}|{string.Join(",", options.Vocab.Select(v => v.Repr()))}|{options.MaxSeqLen}|{options.Causal}|{options.CompilerBos}|{options.CompilerPad}|{options.MlpExactness}|{fix}";
        CompiledModel model;
        SOp program;
        double seconds = 0;
        try
        {
            var rebuilt = RaspProgramText.Parse(_accepted.ToString(), "<repl>",
                new RaspParseOptions { OutputName = name, Sources = _sources, ReadHeader = false }, _directory);
            program = rebuilt.RequireOutput();
            if (_lastCompiled is { } lc && lc.Key == key) model = lc.Model;
            else
            {
                var sw = Stopwatch.StartNew();
                model = RaspCompiler.Compile(program, options);
                seconds = sw.Elapsed.TotalSeconds;
                _lastCompiled = (key, model);
            }
        }
        catch (CompilationException e)
        {
            _out.WriteLine($"   cannot compile {name}: {CliApp.OneLine(e.Message)}");
            return;
        }
        catch (RaspProgramException e)
        {
            WriteError(e);
            return;
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError)
        {
            _out.WriteLine($"   cannot compile {name} with these settings: {ReplDisplay.ErrorText(e)}");
            return;
        }

        if (cmd == "compile")
        {
            var size = ModelSizeReport.Of(model);
            _out.WriteLine($"   compiled {name}: width {size.ResidualWidth}, layers {size.Layers}, heads {size.MaxHeads}, key_size {size.KeySize}, " +
                           $"mlp_hidden {size.MlpHiddenSize}, params {size.StoredParameters:N0} stored (tracr padded {size.TracrParameters:N0})" +
                           (seconds > 0 ? $", {Inputs.Show(seconds)}" : " (cached)"));
            _out.WriteLine($"   {SettingsOf(options)}; output {model.OutputLabel} ({(model.CategoricalOutput ? "categorical" : "numerical")})");
            for (int l = 0; l < model.Layers.Count; l++)
            {
                var layer = model.Layers[l];
                _out.WriteLine($"   layer_{l}/attn: {(layer.Heads.Count == 0 ? "—" : string.Join(", ", layer.Heads.Select(h => h.Node)))}");
                _out.WriteLine($"   layer_{l}/mlp:  {(layer.Mlp is null ? "—" : string.Join(", ", layer.Mlp.Nodes))}");
            }
            foreach (var r in model.Repairs) _out.WriteLine("   repair: " + r);
            if (outDir is not null)
            {
                CompiledModelStore.Save(model, outDir, new Dictionary<string, string>
                {
                    ["program"] = name,
                    ["source"] = "tracr-inject repl",
                    ["created_by"] = "tracr-inject repl",
                });
                _out.WriteLine($"   saved to {outDir}");
            }
            if (_example.Length <= options.MaxSeqLen && _example.All(t => options.Vocab.Contains(t)))
                RunOnce(name, program, model, _example, options.Causal);
            return;
        }

        if (tokens.Length > options.MaxSeqLen)
        {
            _out.WriteLine($"   error: the input has {tokens.Length} tokens, more than max_seq_len {options.MaxSeqLen}");
            return;
        }
        if (cmd == "run")
        {
            RunOnce(name, program, model, tokens, options.Causal);
            return;
        }
        Trace(name, program, model, tokens, options.Causal);
    }

    private static string SettingsOf(CompilerOptions o) =>
        $"vocab {TextOut.Abbreviate(o.Vocab)}, max_seq_len {o.MaxSeqLen}, causal {(o.Causal ? "true" : "false")}";

    private (Value[] Compiled, Value[]? Rasp)? Forward(SOp program, CompiledModel model, Value[] tokens, bool causal, out IReadOnlyList<DecodedStage>? stages, bool trace)
    {
        stages = null;
        int[] ids;
        try
        {
            ids = model.Encode(tokens);
        }
        catch (ArgumentException e)
        {
            _out.WriteLine($"   error: {e.Message}");
            return null;
        }
        using var runtime = new CompiledTransformer(model);
        using var forward = runtime.Forward([ids], captureStages: trace);
        var decoder = new ResidualDecoder(model);
        if (trace) stages = decoder.Trace(forward);
        var output = decoder.DecodeOutputs(forward)[0];
        Value[]? rasp = null;
        try
        {
            rasp = RaspEvaluator.Evaluate(program, tokens, causal);
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError) { }
        return (output, rasp);
    }

    private void RunOnce(string name, SOp program, CompiledModel model, Value[] tokens, bool causal)
    {
        var r = Forward(program, model, tokens, causal, out _, trace: false);
        if (r is null) return;
        WriteComparison(tokens, r.Value.Compiled, r.Value.Rasp);
    }

    private void WriteComparison(Value[] tokens, Value[] compiled, Value[]? rasp)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            tokens.Select(ReplDisplay.Cell).Prepend("input").ToList(),
            compiled.Select(ReplDisplay.Cell).Prepend("compiled").ToList(),
        };
        if (rasp is not null) rows.Add(rasp.Select(ReplDisplay.Cell).Prepend("rasp").ToList());
        ReplDisplay.Table(_out, "   ", rows);
        if (rasp is not null)
        {
            bool agree = rasp.Zip(compiled).All(p => p.First.IsNone || Close(p.First, p.Second));
            _out.WriteLine(agree ? "   the compiled model agrees with RASP" : "   the compiled model DIFFERS from RASP");
        }
    }

    private static bool Close(Value e, Value a) =>
        e.IsNumber && a.IsNumber ? Math.Abs(a.AsDouble - e.AsDouble) <= 1e-7 + 0.005 * Math.Abs(e.AsDouble) : e.Equals(a);

    private void Trace(string name, SOp program, CompiledModel model, Value[] tokens, bool causal)
    {
        var r = Forward(program, model, tokens, causal, out var stages, trace: true);
        if (r is null) return;
        _out.WriteLine($"   trace of {name} (residual width {model.ResidualWidth}, {model.Layers.Count} layers); each stage lists the variables it changed");
        Dictionary<string, Value[]>? previous = null;
        foreach (var st in stages!)
        {
            var changed = st.Variables.Where(kv => previous is null || !previous[kv.Key].SequenceEqual(kv.Value)).ToList();
            _out.WriteLine($"   {st.Name}:");
            if (changed.Count == 0) _out.WriteLine("      (no change)");
            else
            {
                var rows = new List<IReadOnlyList<string>> { tokens.Select(ReplDisplay.Cell).Prepend("").ToList() };
                foreach (var (v, values) in changed) rows.Add(values.Select(ReplDisplay.Cell).Prepend(v).ToList());
                ReplDisplay.Table(_out, "      ", rows);
            }
            previous = st.Variables.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        _out.WriteLine($"   output ({model.OutputLabel}):");
        WriteComparison(tokens, r.Value.Compiled, r.Value.Rasp);
    }

    private (ProgramHeader Header, Value[]? Input, string? OutDir, bool Fix)? ParseFlags(List<string> args, string cmd)
    {
        var header = new ProgramHeader();
        Value[]? input = null;
        string? outDir = null;
        bool fix = false;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? Next()
            {
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                return null;
            }
            switch (a)
            {
                case "--vocab" or "--max-seq-len" or "--bos" or "--pad" or "--mlp-exactness":
                {
                    string? v = Next();
                    if (v is null) { _out.WriteLine($"   error: {a} needs a value"); return null; }
                    string key = a[2..].Replace('-', '_');
                    var h = ParseSetting(key, key == "vocab" && !v.Contains('"') && !v.StartsWith('[') ? string.Join(", ", v.Split(',')) : v, a);
                    if (h is null) return null;
                    header = Merge(h, header);
                    break;
                }
                case "--causal":
                {
                    bool value = true;
                    if (i + 1 < args.Count && args[i + 1] is "true" or "false") value = args[++i] == "true";
                    header = header with { Causal = value };
                    break;
                }
                case "--fix-tracr-bugs":
                    fix = true;
                    break;
                case "--out" when cmd == "compile":
                    outDir = Next();
                    if (outDir is null) { _out.WriteLine("   error: --out needs a folder"); return null; }
                    break;
                case "--input" when cmd != "compile":
                {
                    string? v = Next();
                    if (v is null) { _out.WriteLine("   error: --input needs tokens, e.g. --input \"a b c\""); return null; }
                    input = Inputs.Split(v).Select(t => Value.ParseLiteral(t.ToString())).ToArray();
                    var vocab = header.Vocab ?? _user.Vocab ?? _file.Vocab;
                    if (vocab is not null && vocab.All(x => x.IsString)) input = Inputs.Split(v);
                    else if (vocab is null && _example.All(x => x.IsString)) input = Inputs.Split(v);
                    break;
                }
                default:
                    _out.WriteLine($"   error: unknown option '{a}' for {cmd} (see help)");
                    return null;
            }
        }
        return (header, input, outDir, fix);
    }

    /// <summary>Splits a command line on spaces, keeping "quoted parts" together (quotes removed).</summary>
    internal static List<string> SplitArgs(string line)
    {
        var result = new List<string>();
        var cur = new StringBuilder();
        bool inQuote = false, any = false;
        char quote = '"';
        foreach (char c in line)
        {
            if (inQuote)
            {
                if (c == quote) inQuote = false;
                else cur.Append(c);
            }
            else if (c is '"' or '\'')
            {
                inQuote = true;
                quote = c;
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (cur.Length > 0 || any) result.Add(cur.ToString());
                cur.Clear();
                any = false;
            }
            else cur.Append(c);
        }
        if (cur.Length > 0 || any) result.Add(cur.ToString());
        return result;
    }
}
