using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// Runs RASP text: builds tracr RASP expressions from statements. Operators and value built-ins applied to an SOp
/// build Maps and SequenceMaps (tracr's operator sugar); on plain values they compute with Python's semantics
/// (<see cref="Py"/>). Functions handed to map/sequence_map/select are wrapped so that Python errors reach the
/// compiler as the same <see cref="PyTypeError"/>/<see cref="PyArithmeticError"/>/<see cref="PyValueError"/> the
/// C# library raises.
/// </summary>
public sealed partial class Interpreter
{
    public const int MaxCallDepth = 100;

    /// <summary>Per-evaluation state. <see cref="InValueFunction"/>: running inside a map/select function for the evaluator or compiler.</summary>
    public sealed class EvalContext
    {
        public bool InValueFunction { get; init; }
        public int Depth { get; set; }
    }

    /// <summary>The arguments of a built-in call, with positions for error messages.</summary>
    public sealed record CallInfo(
        Interpreter Interp,
        IReadOnlyList<object> Args,
        IReadOnlyList<SourcePos> ArgPos,
        IReadOnlyDictionary<string, (object Value, SourcePos Pos)> Kwargs,
        SourcePos CallPos,
        EvalContext Context);

    private readonly Scope _builtins;
    private readonly RaspSources _sources;
    private readonly Dictionary<string, Scope> _modules = new(StringComparer.Ordinal);
    private readonly List<string> _loading = [];

    /// <summary>The program's <c>length</c>: tracr's <c>make_length()</c>, one shared object (as <c>lib.length</c>).</summary>
    public SOp Length { get; }

    public Interpreter(RaspSources sources)
    {
        _sources = sources;
        Length = Rasp.SelectorWidth(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE).Named("all_true_selector")).Named("length");
        _builtins = new Scope(null, "builtins");
        _builtins.Vars["tokens"] = Rasp.Tokens;
        _builtins.Vars["indices"] = Rasp.Indices;
        _builtins.Vars["length"] = Length;
        foreach (var b in MakeBuiltins()) _builtins.Vars[b.Name] = b;
        _builtins.Vars["rasp"] = MakeRaspNamespace();
        _builtins.Vars["lib"] = new RaspNamespace("lib", ["length", "make_length", "make_reverse", "make_hist", "..."], (name, pos) =>
        {
            if (name == "length") return Length;
            var module = LoadModule(_sources.Resolve("tracr_lib", null) ?? throw Err(pos, "the bundled tracr_lib is missing"), pos);
            return module.Vars.GetValueOrDefault(name);
        });
    }

    /// <summary>tracr's <c>rasp</c> module names, for programs ported from Python (<c>rasp.Map(f, rasp.tokens)</c>).</summary>
    private RaspNamespace MakeRaspNamespace()
    {
        var comparisons = Enum.GetValues<Comparison>().ToDictionary(c => c.ToString(), c => (object)new ComparisonValue(c));
        var members = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["tokens"] = Rasp.Tokens,
            ["indices"] = Rasp.Indices,
            ["length"] = Rasp.Length, // tracr's raw primitive: evaluates, but tracr cannot compile it (use length / lib.make_length())
            ["Map"] = _builtins.Vars["map"],
            ["SequenceMap"] = _builtins.Vars["sequence_map"],
            ["LinearSequenceMap"] = _builtins.Vars["linear_sequence_map"],
            ["Select"] = _builtins.Vars["select"],
            ["Aggregate"] = _builtins.Vars["aggregate"],
            ["SelectorWidth"] = _builtins.Vars["selector_width"],
            ["numerical"] = _builtins.Vars["numerical"],
            ["categorical"] = _builtins.Vars["categorical"],
            ["selector_and"] = _builtins.Vars["selector_and"],
            ["selector_or"] = _builtins.Vars["selector_or"],
            ["selector_not"] = _builtins.Vars["selector_not"],
            ["Comparison"] = new RaspNamespace("Comparison", comparisons.Keys.ToList(), (n, _) => comparisons.GetValueOrDefault(n)),
        };
        return new RaspNamespace("rasp", members.Keys.ToList(), (n, _) => members.GetValueOrDefault(n));
    }

    private object Attribute(RaspNamespace ns, string name, SourcePos pos) =>
        ns.Get(name, pos) ?? throw Err(pos, $"module '{ns.Name}' has no attribute '{name}'" +
                                            (ns.Name == "lib" ? "" : $" (it has: {string.Join(", ", ns.Members)})"));

    /// <summary>The built-in names (SOps and functions).</summary>
    public IEnumerable<string> BuiltinNames => _builtins.Vars.Keys;

    public Scope NewModule() => new(_builtins, "module");

    /// <summary>Files loaded so far (display names), in load order.</summary>
    public List<string> LoadedFiles { get; } = [];


    /// <summary>Runs one top-level statement of a module and says what it did.</summary>
    public StatementEffect ExecTopLevel(Stmt stmt, Scope module)
    {
        var ctx = new EvalContext();
        switch (stmt)
        {
            case AssignStmt a:
            {
                var value = Eval(a.Value, module, ctx);
                Assign(a.Targets, value, module, a.Value.StartPos);
                return new AssignedEffect(a.Pos, string.Join(", ", a.Targets.Select(t => t.Name)), value);
            }
            case ExprStmt e:
                return new EvaluatedEffect(e.Pos, Eval(e.Expr, module, ctx));
            case DefStmt d:
                Exec(d, module, ctx);
                return new DefinedEffect(d.Pos, d.Name, (UserFunction)module.Vars[d.Name]);
            case LoadStmt l:
                return new LoadedEffect(l.Pos, l.Path, Load(l, module));
            default:
                if (Exec(stmt, module, ctx) is not null) throw Err(stmt.Pos, "'return' outside a function");
                return new ControlFlowEffect(stmt.Pos);
        }
    }

    private sealed class ReturnSignal(object value)
    {
        public object Value { get; } = value;
    }

    private ReturnSignal? ExecBlock(IReadOnlyList<Stmt> stmts, Scope scope, EvalContext c)
    {
        foreach (var s in stmts)
        {
            var r = Exec(s, scope, c);
            if (r is not null) return r;
        }
        return null;
    }

    private ReturnSignal? Exec(Stmt stmt, Scope scope, EvalContext c)
    {
        switch (stmt)
        {
            case AssignStmt a:
                Assign(a.Targets, Eval(a.Value, scope, c), scope, a.Value.StartPos);
                return null;
            case ExprStmt e:
                Eval(e.Expr, scope, c);
                return null;
            case ReturnStmt r:
                return new ReturnSignal(Eval(r.Value, scope, c));
            case DefStmt d:
            {
                CheckAssignable(d.Name, d.NamePos);
                var defaults = d.Params.Select(p => p.Default is null ? null : Eval(p.Default, scope, c)).ToArray();
                scope.Vars[d.Name] = new UserFunction(d, scope, d.Pos.File) { Defaults = defaults };
                return null;
            }
            case ForStmt f:
            {
                var items = Iterate(Eval(f.Iterable, scope, c), f.Iterable.StartPos, "loop over");
                foreach (var item in items)
                {
                    Assign(f.Targets, item, scope, f.Iterable.StartPos);
                    var r = ExecBlock(f.Body, scope, c);
                    if (r is not null) return r;
                }
                return null;
            }
            case IfStmt i:
            {
                var cond = Eval(i.Condition, scope, c);
                bool truth = Truthy(cond, i.Condition.StartPos, "an 'if' condition");
                if (truth) return ExecBlock(i.Then, scope, c);
                return i.Else is null ? null : ExecBlock(i.Else, scope, c);
            }
            case LoadStmt l:
                if (scope.Kind != "module") throw Err(l.Pos, "'load' is only allowed at the top level of a file");
                Load(l, scope);
                return null;
            default:
                throw Err(stmt.Pos, $"unsupported statement {stmt.GetType().Name}");
        }
    }

    private void CheckAssignable(string name, SourcePos pos)
    {
        // The three primitive SOps are reserved (as in the original RASP); built-in functions may be shadowed, as in Python.
        if (name is "tokens" or "indices" or "length")
            throw Err(pos, $"cannot assign to '{name}': it is one of RASP's built-in SOps");
    }

    private void Assign(IReadOnlyList<(string Name, SourcePos Pos)> targets, object value, Scope scope, SourcePos valuePos)
    {
        foreach (var t in targets) CheckAssignable(t.Name, t.Pos);
        if (targets.Count == 1)
        {
            scope.Vars[targets[0].Name] = value;
            return;
        }
        if (value is SOp or Selector)
            throw Err(targets[0].Pos, $"cannot unpack a single {Runtime.TypeName(value)} into {targets.Count} names");
        var items = Iterate(value, valuePos, "unpack");
        if (items.Count != targets.Count)
            throw Err(targets[0].Pos, $"cannot unpack {Runtime.Plural(items.Count, "value")} into {Runtime.Plural(targets.Count, "name")}");
        for (int i = 0; i < targets.Count; i++) scope.Vars[targets[i].Name] = items[i];
    }
}
