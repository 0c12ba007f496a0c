using System.Text;
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
    private readonly ReplSettings _settings;
    private readonly ReplModelCommands _modelCommands;

    public ReplSession(TextWriter output, string? directory = null)
    {
        _out = output;
        _directory = directory ?? Directory.GetCurrentDirectory();
        _interp = new Interpreter(_sources);
        _module = _interp.NewModule();
        _settings = new ReplSettings(output);
        _modelCommands = new ReplModelCommands(output, _settings);
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
        if (resolved is null || !_settings.Adopt(ProgramHeader.Parse(resolved.Source))) return;
        _out.WriteLine($"   compile settings from its header: {_settings.Describe(_example)}");
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
                if (words.Count >= 2 && words[1] == "settings") _out.WriteLine($"   {_settings.Describe(_example)}");
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
                _modelCommands.Execute(cmd, words, _module, _accepted.ToString(), _sources, _directory, _example);
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
                              [--mlp-exactness X] [--compress D] [--fix-tracr-bugs] [--out DIR]   (the flags of 'tracr-inject compile')
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
        if (_settings.Set(key, value, "set " + parts[1])) _out.WriteLine($"   {_settings.Describe(_example)}");
    }

    private bool Causal => _settings.Causal;

    private Value[] ParseExample(string text)
    {
        try
        {
            var file = new SourceFile("<example>", text);
            var expr = Parser.ParseExpression(file, 0, file.Text.Length, 1, 1);
            var v = _interp.Eval(expr, _module, new Interpreter.EvalContext());
            var items = Interpreter.Iterate(v, new SourcePos(file, 1, 1), "use as an example");
            if (items.All(i => i is Value)) return items.Cast<Value>().ToArray();
        }
        catch (RaspProgramException) { }
        return text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Value.ParseLiteral).ToArray();
    }

    private static Value[] Chars(string s) => s.Select(c => Value.Str(c.ToString())).ToArray();

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
