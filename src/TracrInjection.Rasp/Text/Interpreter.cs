using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>What one top-level statement did (the REPL prints these).</summary>
public abstract record StatementEffect(SourcePos Pos);

/// <summary><c>name = value;</c></summary>
public sealed record AssignedEffect(SourcePos Pos, string Name, object Value) : StatementEffect(Pos);

/// <summary><c>expr;</c></summary>
public sealed record EvaluatedEffect(SourcePos Pos, object Value) : StatementEffect(Pos);

/// <summary><c>def name(...) { ... }</c></summary>
public sealed record DefinedEffect(SourcePos Pos, string Name, UserFunction Function) : StatementEffect(Pos);

/// <summary><c>load "file";</c> with the names it brought in.</summary>
public sealed record LoadedEffect(SourcePos Pos, string File, IReadOnlyList<string> Names) : StatementEffect(Pos);

/// <summary>Any other statement (for, if).</summary>
public sealed record OtherEffect(SourcePos Pos) : StatementEffect(Pos);

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

    /// <summary>Per-evaluation state. <see cref="Raw"/>: running inside a map/select function for the evaluator or compiler.</summary>
    public sealed class Ctx
    {
        public bool Raw { get; init; }
        public int Depth { get; set; }
    }

    /// <summary>The arguments of a built-in call, with positions for error messages.</summary>
    public sealed record CallInfo(
        Interpreter Interp,
        IReadOnlyList<object> Args,
        IReadOnlyList<SourcePos> ArgPos,
        IReadOnlyDictionary<string, (object Value, SourcePos Pos)> Kwargs,
        SourcePos CallPos,
        Ctx Ctx);

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

    // =============================================================================================
    // statements

    /// <summary>Runs one top-level statement of a module and says what it did.</summary>
    public StatementEffect ExecTopLevel(Stmt stmt, Scope module)
    {
        var ctx = new Ctx();
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
                return new OtherEffect(stmt.Pos);
        }
    }

    private sealed class ReturnSignal(object value)
    {
        public object Value { get; } = value;
    }

    private ReturnSignal? ExecBlock(IReadOnlyList<Stmt> stmts, Scope scope, Ctx c)
    {
        foreach (var s in stmts)
        {
            var r = Exec(s, scope, c);
            if (r is not null) return r;
        }
        return null;
    }

    private ReturnSignal? Exec(Stmt stmt, Scope scope, Ctx c)
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

    // ---- load ----

    private List<string> Load(LoadStmt l, Scope into)
    {
        var file = _sources.Resolve(l.Path, l.Pos.File.Directory)
                   ?? throw Err(l.PathPos, $"cannot find the file \"{l.Path}\"" +
                                           (l.Path.EndsWith(".rasp", StringComparison.Ordinal) ? "" : " (nor \"" + l.Path + ".rasp\")") +
                                           $" next to {l.Pos.File.Name}" + (l.Pos.File.Directory is null ? " (relative to the current directory)" : ""));
        var module = LoadModule(file, l.Pos, l.PathPos);
        var names = new List<string>();
        foreach (var (name, value) in module.Vars)
        {
            if (name.StartsWith('_')) continue; // private to its file, as in the original RASP
            into.Vars[name] = value;
            names.Add(name);
        }
        return names;
    }

    /// <summary>Runs a file once per program (later loads reuse its names, like a Python module) and returns its scope.</summary>
    private Scope LoadModule(ResolvedFile file, SourcePos from, SourcePos? pathPos = null)
    {
        string key = file.Key;
        int cycleAt = _loading.IndexOf(key);
        if (cycleAt >= 0 || key == _mainKey)
        {
            var chain = _loading.Skip(Math.Max(cycleAt, 0)).Select(DisplayOf).Append(file.Source.Name);
            if (cycleAt < 0) chain = new[] { DisplayOf(_mainKey!) }.Concat(_loading.Select(DisplayOf)).Append(file.Source.Name);
            throw Err(pathPos ?? from, "circular load: " + string.Join(" -> ", chain));
        }
        if (!_modules.TryGetValue(key, out var module))
        {
            module = NewModule();
            _loading.Add(key);
            _displayNames[key] = file.Source.Name;
            try
            {
                var stmts = Parser.ParseProgram(file.Source);
                foreach (var s in stmts) ExecTopLevel(s, module);
            }
            catch (RaspProgramException e)
            {
                e.Notes.Add($"while loading {file.Source.Name} from {from}");
                throw;
            }
            finally
            {
                _loading.RemoveAt(_loading.Count - 1);
            }
            _modules[key] = module;
            LoadedFiles.Add(file.Source.Name);
        }
        return module;
    }

    private readonly Dictionary<string, string> _displayNames = new(StringComparer.Ordinal);
    private string? _mainKey;

    private string DisplayOf(string key) => _displayNames.GetValueOrDefault(key, key);

    /// <summary>Marks the file being run as the main one (so that loading it again is reported as a cycle).</summary>
    public void SetMainFile(SourceFile file)
    {
        _mainKey = RaspSources.KeyOf(file);
        if (_mainKey is not null) _displayNames[_mainKey] = file.Name;
    }

    // =============================================================================================
    // errors

    internal static RaspEvaluationException Err(SourcePos pos, string message, Exception? inner = null) => new(pos, message, inner);

    private static string PyKind(Exception e) => e switch
    {
        PyTypeError => "TypeError",
        PyValueError when e.Message.StartsWith("IndexError", StringComparison.Ordinal) || e.Message.StartsWith("KeyError", StringComparison.Ordinal) => "",
        PyValueError => "ValueError",
        PyArithmeticError => "ArithmeticError",
        _ => e.GetType().Name,
    };

    /// <summary>
    /// A Python error raised at <paramref name="pos"/>. While building the program it becomes a located
    /// <see cref="RaspEvaluationException"/>; inside a map/select function it stays the same Python error type
    /// (the compiler treats ArithmeticError as tracr does) with the location prepended once.
    /// </summary>
    internal static Exception Located(Exception e, SourcePos pos, Ctx c)
    {
        if (!c.Raw) return Err(pos, PyKind(e) is { Length: > 0 } kind ? $"{kind}: {e.Message}" : e.Message, e);
        if (e.Data.Contains("rasp.located")) return e;
        Exception n = e switch
        {
            PyTypeError => new PyTypeError($"{pos}: {e.Message}"),
            PyValueError => new PyValueError($"{pos}: {e.Message}"),
            _ => new PyArithmeticError($"{pos}: {e.Message}"),
        };
        n.Data["rasp.located"] = true;
        return n;
    }

    private static T Guard<T>(SourcePos pos, Ctx c, Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError)
        {
            throw Located(e, pos, c);
        }
    }

    // =============================================================================================
    // expressions

    public object Eval(Expr e, Scope s, Ctx c)
    {
        switch (e)
        {
            case LiteralExpr l: return l.Value;
            case NameExpr n: return Lookup(n.Name, n.Pos, s);
            case ComparisonExpr ce: return new ComparisonValue(ce.Comparison);
            case FStringExpr f:
            {
                var sb = new System.Text.StringBuilder();
                foreach (var part in f.Parts)
                {
                    if (part is string lit) { sb.Append(lit); continue; }
                    var pe = (Expr)part;
                    var v = Eval(pe, s, c);
                    if (v is SOp or Selector) throw Err(pe.StartPos, $"an f-string cannot show {Runtime.A(v)} (its values are only known for an input)");
                    sb.Append(Runtime.Str(v));
                }
                return Value.Str(sb.ToString());
            }
            case ListExpr le: return new RaspList(le.Items.Select(i => Eval(i, s, c)).ToList());
            case TupleExpr te: return MakeTuple(te.Items.Select(i => Eval(i, s, c)).ToList());
            case DictExpr de:
            {
                var d = new RaspDict();
                for (int i = 0; i < de.Keys.Count; i++)
                {
                    var k = Eval(de.Keys[i], s, c);
                    if (k is not Value kv) throw Err(de.Keys[i].StartPos, $"a dictionary key must be a plain value, not {Runtime.A(k)}");
                    d.Set(kv, Eval(de.Values[i], s, c));
                }
                return d;
            }
            case ListCompExpr lc:
            {
                var items = Iterate(Eval(lc.Iterable, s, c), lc.Iterable.StartPos, "loop over");
                var inner = new Scope(s, "comprehension");
                var result = new List<object>();
                var targets = lc.Targets.Select(t => (t, lc.Pos)).ToList();
                foreach (var item in items)
                {
                    Assign(targets, item, inner, lc.Iterable.StartPos);
                    if (lc.Condition is not null && !Truthy(Eval(lc.Condition, inner, c), lc.Condition.StartPos, "a comprehension condition")) continue;
                    result.Add(Eval(lc.Element, inner, c));
                }
                return new RaspList(result);
            }
            case UnaryExpr u: return Unary(u.Op, Eval(u.Operand, s, c), u.Pos, c);
            case BinaryExpr b: return Binary(b.Op, Eval(b.Left, s, c), Eval(b.Right, s, c), b.Pos, c);
            case CompareExpr ce: return Compare(ce, s, c);
            case BoolOpExpr bo: return BoolOp(bo, s, c);
            case IfExpr ie: return Conditional(ie, s, c);
            case LambdaExpr le: return MakeLambda(le, s);
            case CallExpr call: return Call(call, s, c);
            case IndexExpr ix: return Index(Eval(ix.Target, s, c), Eval(ix.Index, s, c), ix.Pos, ix.Index.Pos, c);
            case SliceExpr sl: return Slice(sl, s, c);
            case AttributeExpr a:
            {
                var target = Eval(a.Target, s, c);
                if (target is RaspNamespace ns) return Attribute(ns, a.Name, a.NamePos);
                throw Err(a.NamePos, $"'.{a.Name}' must be called, e.g. .{a.Name}(...)");
            }
            default:
                throw Err(e.Pos, $"unsupported expression {e.GetType().Name}");
        }
    }

    private object Lookup(string name, SourcePos pos, Scope s)
    {
        if (s.TryLookup(name, out var v)) return v;
        var close = s.VisibleNames().Select(k => (k, d: Distance(k, name))).Where(t => t.d <= Math.Max(1, name.Length / 3))
            .OrderBy(t => t.d).ThenBy(t => t.k, StringComparer.Ordinal).Select(t => t.k).FirstOrDefault();
        string hint = close is not null ? $" (did you mean '{close}'?)" :
            name is "true" or "false" or "none" ? $" (Python spells it '{char.ToUpperInvariant(name[0])}{name[1..]}')" :
            name is "zipmap_" ? "" : "";
        throw Err(pos, $"name '{name}' is not defined{hint}");
    }

    internal static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    private static object MakeTuple(List<object> items) =>
        items.All(i => i is Value) ? Value.Tuple(items.Cast<Value>().ToArray()) : new RaspList(items, isTuple: true);

    /// <summary>Python truthiness of a plain object; SOps and selectors have none while the program is built.</summary>
    internal static bool Truthy(object o, SourcePos pos, string what) => o switch
    {
        Value v => v.IsTruthy,
        RaspList l => l.Items.Count > 0,
        RaspDict d => d.Keys.Count > 0,
        SOp => throw Err(pos, $"{what} cannot be an SOp: its values are only known for an input " +
                              "(for a choice at every position write 'a if c else b' with the SOp as c)"),
        Selector => throw Err(pos, $"{what} cannot be a selector"),
        _ => true,
    };

    /// <summary>The items of a list, tuple, string, dict (keys) or range.</summary>
    public static List<object> Iterate(object o, SourcePos pos, string verb) => o switch
    {
        RaspList l => l.Items.ToList(),
        Value { IsTuple: true } t => t.Items.Cast<object>().ToList(),
        Value { IsString: true } s => s.AsString.Select(ch => (object)Value.Str(ch.ToString())).ToList(),
        RaspDict d => d.Keys.Cast<object>().ToList(),
        SOp => throw Err(pos, $"cannot {verb} an SOp: its values are only known for an input"),
        _ => throw Err(pos, $"cannot {verb} {Runtime.A(o)}"),
    };

    // ---- unary / binary ----

    private object Unary(string op, object v, SourcePos pos, Ctx c)
    {
        switch (v)
        {
            case SOp sop:
                return op switch
                {
                    "+" => sop,
                    "-" => Rasp.Map(x => Raw(pos, () => Py.Neg(x)), sop, "-x"),
                    _ => Rasp.Map(x => Py.Not(x), sop, "not x"), // tracr's ~sop
                };
            case Selector sel:
                if (op is "not" or "~") return Rasp.SelectorNot(sel);
                throw Err(pos, $"unary '{op}' cannot be applied to a selector");
            case Value val:
                return Guard(pos, c, () => op switch
                {
                    "-" => Py.Neg(val),
                    "+" => val.IsNumber ? (val.Kind == ValueKind.Bool ? Value.Int(val.AsLong) : val) : throw new PyTypeError($"bad operand type for unary +: '{val.TypeName}'"),
                    "not" => Py.Not(val),
                    _ => val.IsIntegral ? Value.Int(~val.AsLong) : throw new PyTypeError($"bad operand type for unary ~: '{val.TypeName}'"),
                });
            default:
                if (op == "not") return Value.Bool(!Truthy(v, pos, "'not'"));
                throw Err(pos, $"unary '{op}' cannot be applied to {Runtime.A(v)}");
        }
    }

    /// <summary>Runs <paramref name="f"/> inside a map/select function: Python errors get the location.</summary>
    internal static Value Raw(SourcePos pos, Func<Value> f) => Guard(pos, RawCtx, f);

    private static readonly Ctx RawCtx = new() { Raw = true };

    public static Value ValueBinary(string op, Value a, Value b) => op switch
    {
        "+" => Py.Add(a, b),
        "-" => Py.Sub(a, b),
        "*" => Py.Mul(a, b),
        "/" => Py.Div(a, b),
        "//" => Py.FloorDiv(a, b),
        "%" => Py.Mod(a, b),
        "**" => Py.Pow(a, b),
        "&" => BitOp(a, b, "&"),
        "|" => BitOp(a, b, "|"),
        _ => throw new InvalidOperationException(op),
    };

    private static Value BitOp(Value a, Value b, string op)
    {
        if (!(a.IsIntegral && b.IsIntegral)) throw new PyTypeError($"unsupported operand type(s) for {op}: '{a.TypeName}' and '{b.TypeName}'");
        long r = op == "&" ? a.AsLong & b.AsLong : a.AsLong | b.AsLong;
        return a.Kind == ValueKind.Bool && b.Kind == ValueKind.Bool ? Value.Bool(r != 0) : Value.Int(r);
    }

    private object Binary(string op, object l, object r, SourcePos pos, Ctx c)
    {
        if (l is Selector || r is Selector)
        {
            if (l is Selector a && r is Selector b && op is "&" or "|")
                return op == "&" ? Rasp.SelectorAnd(a, b) : Rasp.SelectorOr(a, b);
            var other = l is Selector ? r : l;
            throw Err(pos, $"'{op}' cannot combine a selector with {Runtime.A(other)}" +
                           (op is "&" or "|" ? "" : " (selectors combine only with and/or/not)"));
        }
        if (l is SOp || r is SOp)
        {
            if (op is "&" or "|") return LiftLogical(op == "&" ? "and" : "or", l, r, pos);
            CheckLiftable(l, r, op, pos);
            if (l is SOp s && r is SOp t)
                return Rasp.SequenceMap((x, y) => Raw(pos, () => ValueBinary(op, x, y)), s, t, $"x {op} y");
            if (l is SOp s2)
            {
                var k = (Value)r;
                return Rasp.Map(x => Raw(pos, () => ValueBinary(op, x, k)), s2, $"x {op} {k.Repr()}");
            }
            var k2 = (Value)l;
            return Rasp.Map(x => Raw(pos, () => ValueBinary(op, k2, x)), (SOp)r, $"{k2.Repr()} {op} x");
        }
        if (l is Value va && r is Value vb) return Guard(pos, c, () => ValueBinary(op, va, vb));

        // sequences
        if (op == "+" && IsSequenceLike(l, out var li, out bool lt) && IsSequenceLike(r, out var ri, out bool rt) && lt == rt &&
            !(l is Value && r is Value))
        {
            var items = li.Concat(ri).ToList();
            return lt ? MakeTuple(items) : new RaspList(items);
        }
        if (op == "*" && (l is RaspList && r is Value { IsIntegral: true } || r is RaspList && l is Value { IsIntegral: true }))
        {
            var list = (RaspList)(l is RaspList ? l : r);
            long n = ((Value)(l is RaspList ? r : l)).AsLong;
            var items = new List<object>();
            for (long i = 0; i < n; i++) items.AddRange(list.Items);
            return new RaspList(items, list.IsTuple);
        }
        throw Err(pos, $"TypeError: unsupported operand type(s) for {op}: '{Runtime.TypeName(l)}' and '{Runtime.TypeName(r)}'");
    }

    private static bool IsSequenceLike(object o, out List<object> items, out bool isTuple)
    {
        switch (o)
        {
            case RaspList l: items = l.Items; isTuple = l.IsTuple; return true;
            case Value { IsTuple: true } t: items = t.Items.Cast<object>().ToList(); isTuple = true; return true;
            default: items = []; isTuple = false; return false;
        }
    }

    private static void CheckLiftable(object l, object r, string op, SourcePos pos)
    {
        foreach (var o in new[] { l, r })
            if (o is not (SOp or Value))
                throw Err(pos, $"'{op}' cannot combine an SOp with {Runtime.A(o)} (only with another SOp or a plain value)");
    }

    /// <summary>
    /// tracr's <c>&amp;</c> / <c>|</c> on SOps (Python's and/or at every position): SOp-SOp gives a SequenceMap; SOp-value
    /// a Map; value <c>|</c> SOp gives <c>Map(x or value)</c>, tracr's unswapped <c>__ror__</c>.
    /// </summary>
    private static SOp LiftLogical(string op, object l, object r, SourcePos pos)
    {
        CheckLiftable(l, r, op, pos);
        Func<Value, Value, Value> f = op == "and" ? Py.And : Py.Or;
        if (l is SOp s && r is SOp t) return Rasp.SequenceMap(f, s, t, $"x {op} y");
        if (l is SOp s2)
        {
            var k = (Value)r;
            return Rasp.Map(x => f(x, k), s2, $"x {op} {k.Repr()}");
        }
        var k2 = (Value)l;
        var sop = (SOp)r;
        return op == "and" ? Rasp.Map(x => Py.And(k2, x), sop, $"{k2.Repr()} and x") : Rasp.Map(x => Py.Or(x, k2), sop, $"x or {k2.Repr()}");
    }

    private object BoolOp(BoolOpExpr bo, Scope s, Ctx c)
    {
        var left = Eval(bo.Left, s, c);
        if (left is Selector ls)
        {
            var right = Eval(bo.Right, s, c);
            if (right is not Selector rs)
                throw Err(bo.Pos, $"'{bo.Op}' cannot combine a selector with {Runtime.A(right)}");
            return bo.Op == "and" ? Rasp.SelectorAnd(ls, rs) : Rasp.SelectorOr(ls, rs);
        }
        if (left is SOp)
        {
            var right = Eval(bo.Right, s, c);
            if (right is Selector) throw Err(bo.Pos, $"'{bo.Op}' cannot combine an SOp with a selector");
            return LiftLogical(bo.Op, left, right, bo.Pos);
        }
        // A plain value on the left short-circuits, as in Python.
        bool truth = Truthy(left, bo.Left.Pos, $"the left side of '{bo.Op}'");
        if (bo.Op == "and" ? !truth : truth) return left;
        var r2 = Eval(bo.Right, s, c);
        if (r2 is SOp) return LiftLogical(bo.Op, left, r2, bo.Pos);
        if (r2 is Selector) throw Err(bo.Pos, $"'{bo.Op}' cannot combine {Runtime.A(left)} with a selector");
        return r2;
    }

    private object Conditional(IfExpr ie, Scope s, Ctx c)
    {
        var cond = Eval(ie.Condition, s, c);
        if (cond is Selector) throw Err(ie.Condition.StartPos, "the condition of 'a if c else b' cannot be a selector");
        if (cond is not SOp)
            return Truthy(cond, ie.Condition.StartPos, "the condition") ? Eval(ie.Then, s, c) : Eval(ie.Else, s, c);
        var then = Eval(ie.Then, s, c);
        var other = Eval(ie.Else, s, c);
        foreach (var (o, p) in new[] { (then, ie.Then.StartPos), (other, ie.Else.StartPos) })
            if (o is not (SOp or Value))
                throw Err(p, $"a choice at every position ('a if c else b' with an SOp c) needs SOps or plain values, not {Runtime.A(o)}");
        return Lift([then, cond, other], v => v[1].IsTruthy ? v[0] : v[2], ie.Source, ie.Pos);
    }

    /// <summary>
    /// Applies a function of plain values at every position: one SOp argument gives a Map, two a SequenceMap, more
    /// tracr's <c>make_nary_sequencemap</c> (tuples, then a Map).
    /// </summary>
    internal static SOp Lift(IReadOnlyList<object> args, Func<Value[], Value> f, string description, SourcePos pos)
    {
        var sopAt = Enumerable.Range(0, args.Count).Where(i => args[i] is SOp).ToArray();
        var template = args.Select(a => a as Value ?? Value.None).ToArray();
        Value Call(IReadOnlyList<Value> xs)
        {
            var vals = (Value[])template.Clone();
            for (int k = 0; k < sopAt.Length; k++) vals[sopAt[k]] = xs[k];
            return Raw(pos, () => f(vals));
        }
        var sops = sopAt.Select(i => (SOp)args[i]).ToArray();
        return sops.Length switch
        {
            1 => Rasp.Map(x => Call([x]), sops[0], description),
            2 => Rasp.SequenceMap((x, y) => Call([x, y]), sops[0], sops[1], description),
            _ => new Lib().MakeNarySequenceMap(xs => Call(xs), description, sops),
        };
    }

    // ---- comparisons ----

    private object Compare(CompareExpr ce, Scope s, Ctx c)
    {
        var left = Eval(ce.First, s, c);
        object result = Value.True;
        for (int i = 0; i < ce.Ops.Count; i++)
        {
            var right = Eval(ce.Rest[i], s, c);
            if (ce.Ops.Count > 1 && (left is SOp || right is SOp))
                throw Err(ce.OpPositions[i], "chained comparisons of SOps are not supported; write (a < b) and (b < c)");
            result = CompareOne(ce.Ops[i], left, right, ce.OpPositions[i], c);
            if (ce.Ops.Count > 1 && !((Value)result).IsTruthy) return result;
            left = right;
        }
        return result;
    }

    private static readonly Dictionary<string, string> Mirror = new()
    {
        ["=="] = "==", ["!="] = "!=", ["<"] = ">", ["<="] = ">=", [">"] = "<", [">="] = "<=",
    };

    private object CompareOne(string op, object l, object r, SourcePos pos, Ctx c)
    {
        if (l is Selector || r is Selector)
            throw Err(pos, $"'{op}' cannot be applied to a selector (compare the SOps it is selected from instead)");
        if (op is "in" or "not in")
        {
            bool negate = op == "not in";
            if (l is SOp || r is SOp)
            {
                if (l is SOp ls && r is SOp rs)
                    return Rasp.SequenceMap((x, y) => Raw(pos, () => Value.Bool(Contains(y, x) != negate)), ls, rs, $"x {op} y");
                if (l is SOp ls2)
                {
                    var container = r;
                    CheckContainer(container, pos);
                    return Rasp.Map(x => Raw(pos, () => Value.Bool(Contains(container, x) != negate)), ls2, $"x {op} {Runtime.Repr(container)}");
                }
                if (l is not Value k) throw Err(pos, $"'{op}' with an SOp needs a plain value on the left, not {Runtime.A(l)}");
                return Rasp.Map(x => Raw(pos, () => Value.Bool(Contains(x, k) != negate)), (SOp)r, $"{k.Repr()} {op} x");
            }
            return Guard(pos, c, () => Value.Bool(Contains(r, l) != negate));
        }
        if (l is SOp || r is SOp)
        {
            CheckLiftable(l, r, op, pos);
            if (l is SOp s && r is SOp t)
                return Rasp.SequenceMap((x, y) => Raw(pos, () => ValueCompare(op, x, y)), s, t, $"x {op} y");
            if (l is SOp s2)
            {
                var k = (Value)r;
                return Rasp.Map(x => Raw(pos, () => ValueCompare(op, x, k)), s2, $"x {op} {k.Repr()}");
            }
            // Python reflects a comparison with the constant on the left: 1 < s is s > 1.
            var k2 = (Value)l;
            string m = Mirror[op];
            return Rasp.Map(x => Raw(pos, () => ValueCompare(m, x, k2)), (SOp)r, $"x {m} {k2.Repr()}");
        }
        if (l is Value a && r is Value b) return Guard(pos, c, () => ValueCompare(op, a, b));
        if (op is "==" or "!=") return Value.Bool(ObjectEquals(l, r) == (op == "=="));
        if (IsSequenceLike(l, out var li, out var lt) && IsSequenceLike(r, out var ri, out var rt) && lt == rt)
        {
            for (int i = 0; i < Math.Min(li.Count, ri.Count); i++)
            {
                if (ObjectEquals(li[i], ri[i])) continue;
                return CompareOne(op, li[i], ri[i], pos, c);
            }
            return Guard(pos, c, () => ValueCompare(op, Value.Int(li.Count), Value.Int(ri.Count)));
        }
        throw Err(pos, $"TypeError: '{op}' not supported between instances of '{Runtime.TypeName(l)}' and '{Runtime.TypeName(r)}'");
    }

    public static Value ValueCompare(string op, Value a, Value b) => op switch
    {
        "==" => Py.Eq(a, b),
        "!=" => Py.Ne(a, b),
        "<" => Py.Lt(a, b),
        "<=" => Py.Le(a, b),
        ">" => Py.Gt(a, b),
        _ => Py.Ge(a, b),
    };

    private static bool ObjectEquals(object a, object b)
    {
        if (a is Value va && b is Value vb) return va.Equals(vb);
        if (IsSequenceLike(a, out var x, out var xt) && IsSequenceLike(b, out var y, out var yt))
            return xt == yt && x.Count == y.Count && x.Zip(y).All(p => ObjectEquals(p.First, p.Second));
        if (a is RaspDict da && b is RaspDict db)
            return da.Keys.Count == db.Keys.Count && da.Keys.All(k => db.Items.TryGetValue(k, out var v) && ObjectEquals(da.Items[k], v));
        return ReferenceEquals(a, b);
    }

    private static void CheckContainer(object container, SourcePos pos)
    {
        if (container is Value { IsString: true } or Value { IsTuple: true } or RaspDict) return;
        if (container is RaspList l && l.Items.All(i => i is Value)) return;
        throw Err(pos, $"'in' needs a string, tuple, list or dict of plain values on the right, not {Runtime.A(container)}");
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    internal static bool Contains(object container, object item)
    {
        switch (container)
        {
            case Value { IsString: true } s:
                if (item is not Value { IsString: true } sub)
                    throw new PyTypeError($"'in <string>' requires string as left operand, not {Runtime.TypeName(item)}");
                return s.AsString.Contains(sub.AsString, StringComparison.Ordinal);
            case Value { IsTuple: true } t:
                return item is Value v && t.Items.Any(x => x.Equals(v));
            case RaspList l:
                return l.Items.Any(x => ObjectEquals(x, item));
            case RaspDict d:
                return item is Value k && d.Items.ContainsKey(k);
            default:
                throw new PyTypeError($"argument of type '{Runtime.TypeName(container)}' is not iterable");
        }
    }

    // ---- indexing ----

    private object Index(object target, object index, SourcePos pos, SourcePos indexPos, Ctx c)
    {
        if (target is Selector || index is Selector) throw Err(pos, "a selector cannot be indexed");
        if (target is SOp || index is SOp)
        {
            if (target is SOp ts && index is SOp tis)
                return Rasp.SequenceMap((x, i) => Raw(pos, () => (Value)IndexValue(x, i)), ts, tis, "x[y]");
            if (target is SOp ts2)
            {
                if (index is not Value k) throw Err(indexPos, $"an SOp can only be indexed by a plain value or an SOp, not {Runtime.A(index)}");
                return Rasp.Map(x => Raw(pos, () => (Value)IndexValue(x, k)), ts2, $"x[{k.Repr()}]");
            }
            // a constant table indexed at every position (the original RASP's dict/list indexing)
            var table = target;
            if (table is RaspList tl && !tl.Items.All(i => i is Value) || table is RaspDict td && !td.Items.Values.All(i => i is Value))
                throw Err(pos, "a list or dict indexed by an SOp must hold plain values");
            if (table is not (RaspList or RaspDict or Value)) throw Err(pos, $"{Runtime.A(table)} cannot be indexed");
            return Rasp.Map(x => Raw(pos, () => (Value)IndexValue(table, x)), (SOp)index, $"{Runtime.Repr(table)}[x]");
        }
        return Guard(pos, c, () => IndexValue(target, index));
    }

    internal static object IndexValue(object target, object index)
    {
        switch (target)
        {
            case RaspDict d:
                if (index is Value k && d.Items.TryGetValue(k, out var v)) return v;
                throw new PyValueError($"KeyError: {Runtime.Repr(index)}");
            case RaspList l:
                return l.Items[NormaliseIndex(index, l.Items.Count, l.IsTuple ? "tuple" : "list")];
            case Value { IsTuple: true } t:
                return t.Items[NormaliseIndex(index, t.Items.Count, "tuple")];
            case Value { IsString: true } s:
                return Value.Str(s.AsString[NormaliseIndex(index, s.AsString.Length, "string")].ToString());
            default:
                throw new PyTypeError($"'{Runtime.TypeName(target)}' object is not subscriptable");
        }
    }

    private static int NormaliseIndex(object index, int count, string what)
    {
        if (index is not Value { IsIntegral: true } iv)
            throw new PyTypeError($"{what} indices must be integers, not {Runtime.TypeName(index)}");
        long i = iv.AsLong;
        if (i < 0) i += count;
        if (i < 0 || i >= count) throw new PyValueError($"IndexError: {what} index out of range");
        return (int)i;
    }

    private object Slice(SliceExpr sl, Scope s, Ctx c)
    {
        var target = Eval(sl.Target, s, c);
        long? Bound(Expr? e)
        {
            if (e is null) return null;
            var v = Eval(e, s, c);
            if (v is Value { IsNone: true }) return null;
            if (v is not Value { IsIntegral: true } iv) throw Err(e.Pos, $"slice bounds must be integers, not {Runtime.TypeName(v)}");
            return iv.AsLong;
        }
        long? lo = Bound(sl.Lower), hi = Bound(sl.Upper), step = Bound(sl.Step);
        if (step == 0) throw Err(sl.Step!.Pos, "ValueError: slice step cannot be zero");
        List<object> items;
        if (target is Value { IsString: true } str) items = str.AsString.Select(ch => (object)Value.Str(ch.ToString())).ToList();
        else if (IsSequenceLike(target, out var li, out _)) items = li;
        else throw Err(sl.Pos, $"{Runtime.A(target)} cannot be sliced");
        var picked = SliceIndices(items.Count, lo, hi, step ?? 1).Select(i => items[i]).ToList();
        return target switch
        {
            Value { IsString: true } => Value.Str(string.Concat(picked.Select(p => ((Value)p).AsString))),
            Value { IsTuple: true } => MakeTuple(picked),
            RaspList l => l.IsTuple ? MakeTuple(picked) : new RaspList(picked),
            _ => new RaspList(picked),
        };
    }

    private static IEnumerable<int> SliceIndices(int n, long? lo, long? hi, long step)
    {
        long Clamp(long v, long min, long max) => Math.Max(min, Math.Min(max, v));
        if (step > 0)
        {
            long start = lo is null ? 0 : lo < 0 ? Clamp(lo.Value + n, 0, n) : Clamp(lo.Value, 0, n);
            long stop = hi is null ? n : hi < 0 ? Clamp(hi.Value + n, 0, n) : Clamp(hi.Value, 0, n);
            for (long i = start; i < stop; i += step) yield return (int)i;
        }
        else
        {
            long start = lo is null ? n - 1 : lo < 0 ? Clamp(lo.Value + n, -1, n - 1) : Clamp(lo.Value, -1, n - 1);
            long stop = hi is null ? -1 : hi < 0 ? Clamp(hi.Value + n, -1, n - 1) : Clamp(hi.Value, -1, n - 1);
            for (long i = start; i > stop; i += step) yield return (int)i;
        }
    }

    // ---- lambdas and calls ----

    private object MakeLambda(LambdaExpr le, Scope s)
    {
        // Free names are looked up now and their current values kept (early binding): a lambda made in a loop sees
        // that iteration's values, unlike Python's late binding.
        var closure = new Scope(_builtins, "lambda");
        var bound = new HashSet<string>(le.Params.Select(p => p.Name), StringComparer.Ordinal);
        foreach (var (name, pos) in FreeNames(le.Body, bound))
        {
            if (closure.Vars.ContainsKey(name)) continue;
            if (_builtins.Vars.TryGetValue(name, out var builtin) && builtin is Callable && !ShadowedOutside(name, s)) continue;
            closure.Vars[name] = Lookup(name, pos, s);
        }
        var defaults = le.Params.Select(p => p.Default is null ? null : Eval(p.Default, s, new Ctx())).ToArray();
        return new LambdaFunction(le, closure) { Defaults = defaults };
    }

    private bool ShadowedOutside(string name, Scope s)
    {
        for (var x = s; x is not null && x != _builtins; x = x.Parent)
            if (x.Vars.ContainsKey(name)) return true;
        return false;
    }

    private static IEnumerable<(string, SourcePos)> FreeNames(Expr e, HashSet<string> bound)
    {
        switch (e)
        {
            case NameExpr n:
                if (!bound.Contains(n.Name)) yield return (n.Name, n.Pos);
                break;
            case LambdaExpr l:
            {
                var inner = new HashSet<string>(bound, StringComparer.Ordinal);
                foreach (var p in l.Params) inner.Add(p.Name);
                foreach (var p in l.Params)
                    if (p.Default is not null)
                        foreach (var x in FreeNames(p.Default, bound)) yield return x;
                foreach (var x in FreeNames(l.Body, inner)) yield return x;
                break;
            }
            case ListCompExpr lc:
            {
                foreach (var x in FreeNames(lc.Iterable, bound)) yield return x;
                var inner = new HashSet<string>(bound, StringComparer.Ordinal);
                foreach (var t in lc.Targets) inner.Add(t);
                foreach (var x in FreeNames(lc.Element, inner)) yield return x;
                if (lc.Condition is not null)
                    foreach (var x in FreeNames(lc.Condition, inner)) yield return x;
                break;
            }
            default:
                foreach (var child in Children(e))
                    foreach (var x in FreeNames(child, bound)) yield return x;
                break;
        }
    }

    private static IEnumerable<Expr> Children(Expr e) => e switch
    {
        FStringExpr f => f.Parts.OfType<Expr>(),
        ListExpr l => l.Items,
        TupleExpr t => t.Items,
        DictExpr d => d.Keys.Concat(d.Values),
        UnaryExpr u => [u.Operand],
        BinaryExpr b => [b.Left, b.Right],
        CompareExpr c => c.Rest.Prepend(c.First),
        BoolOpExpr b => [b.Left, b.Right],
        IfExpr i => [i.Then, i.Condition, i.Else],
        CallExpr c => c.Args.Select(a => a.Value).Prepend(c.Callee),
        IndexExpr i => [i.Target, i.Index],
        SliceExpr s => new[] { s.Target, s.Lower, s.Upper, s.Step }.OfType<Expr>(),
        AttributeExpr a => [a.Target],
        _ => [],
    };

    private object Call(CallExpr call, Scope s, Ctx c)
    {
        var args = new List<object>();
        var argPos = new List<SourcePos>();
        var kwargs = new Dictionary<string, (object, SourcePos)>(StringComparer.Ordinal);
        if (call.Callee is AttributeExpr attr)
        {
            var target = Eval(attr.Target, s, c);
            if (target is RaspNamespace ns)
            {
                var member = Attribute(ns, attr.Name, attr.NamePos);
                EvalArgs(call, s, c, args, argPos, kwargs);
                if (member is not Callable mf) throw Err(attr.NamePos, $"{ns.Name}.{attr.Name} is {Runtime.A(member)}, not a function");
                return Invoke(mf, new CallInfo(this, args, argPos, kwargs, call.ParenPos, c));
            }
            EvalArgs(call, s, c, args, argPos, kwargs);
            return CallMethod(target, attr.Name, attr.NamePos, new CallInfo(this, args, argPos, kwargs, call.ParenPos, c));
        }
        var callee = Eval(call.Callee, s, c);
        EvalArgs(call, s, c, args, argPos, kwargs);
        if (callee is not Callable f)
        {
            string what = callee is SOp ? "an SOp cannot be called (tracr programs run only when compiled or evaluated; use the REPL's example or the 'run' command)" :
                $"{Runtime.A(callee)} is not a function";
            throw Err(call.Callee.StartPos, what);
        }
        return Invoke(f, new CallInfo(this, args, argPos, kwargs, call.ParenPos, c));
    }

    private void EvalArgs(CallExpr call, Scope s, Ctx c, List<object> args, List<SourcePos> argPos, Dictionary<string, (object, SourcePos)> kwargs)
    {
        foreach (var a in call.Args)
        {
            var v = Eval(a.Value, s, c);
            if (a.Star)
            {
                foreach (var item in Iterate(v, a.Value.StartPos, "unpack with '*'"))
                {
                    args.Add(item);
                    argPos.Add(a.Value.StartPos);
                }
            }
            else if (a.Name is null)
            {
                args.Add(v);
                argPos.Add(a.Value.StartPos);
            }
            else kwargs[a.Name] = (v, a.Pos);
        }
    }

    /// <summary>Calls any callable with plain arguments (used by map/select wrappers and built-ins).</summary>
    public object Invoke(Callable f, CallInfo info)
    {
        switch (f)
        {
            case BuiltinFunction b:
                if (b.Arity is int n && info.Kwargs.Count == 0 && info.Args.Count != n)
                    throw Err(info.CallPos, $"{b.Name}() takes {Runtime.Plural(n, "argument")} ({info.Args.Count} given): {b.Signature}");
                return b.Body(info);
            case BoundMethod m:
                return CallMethod(m.Target, m.Name, info.CallPos, info);
            case UserFunction u:
                return CallUser(u.Def.Name, u.Def.Params, u.Defaults, u.Closure, info, scope => ExecBlock(u.Def.Body, scope, info.Ctx)?.Value, u.Def.NamePos);
            case LambdaFunction l:
                return CallUser("<lambda>", l.Lambda.Params, l.Defaults, l.Closure, info, scope => Eval(l.Lambda.Body, scope, info.Ctx), l.Lambda.Pos);
            default:
                throw Err(info.CallPos, $"cannot call a {f.GetType().Name}");
        }
    }

    private object CallUser(string name, IReadOnlyList<Param> ps, object?[] defaults, Scope closure, CallInfo info,
        Func<Scope, object?> body, SourcePos defPos)
    {
        var c = info.Ctx;
        if (info.Args.Count > ps.Count)
            throw Err(info.CallPos, $"{name}() takes {Runtime.Plural(ps.Count, "argument")} but {info.Args.Count} were given");
        var scope = new Scope(closure, "function");
        for (int i = 0; i < info.Args.Count; i++) scope.Vars[ps[i].Name] = info.Args[i];
        foreach (var (k, (v, p)) in info.Kwargs)
        {
            int idx = ps.ToList().FindIndex(x => x.Name == k);
            if (idx < 0) throw Err(p, $"{name}() has no parameter '{k}' (parameters: {string.Join(", ", ps.Select(x => x.Name))})");
            if (idx < info.Args.Count) throw Err(p, $"{name}() got two values for '{k}'");
            scope.Vars[k] = v;
        }
        for (int i = 0; i < ps.Count; i++)
        {
            if (scope.Vars.ContainsKey(ps[i].Name)) continue;
            if (defaults[i] is { } d) scope.Vars[ps[i].Name] = d;
            else throw Err(info.CallPos, $"{name}() is missing a value for parameter '{ps[i].Name}'");
        }
        if (c.Depth >= MaxCallDepth) throw Err(info.CallPos, $"recursion too deep (more than {MaxCallDepth} nested calls)");
        c.Depth++;
        try
        {
            return body(scope) ?? throw Err(info.CallPos, $"{name}() ended without 'return'");
        }
        catch (RaspProgramException e) when (!c.Raw && e.Notes.Count < 8 && name != "<lambda>")
        {
            e.Notes.Add($"in {name}(), called at {info.CallPos}");
            throw;
        }
        finally
        {
            c.Depth--;
        }
    }

    /// <summary>A callable as a map function of <paramref name="arity"/> values (checked now, wrapped for later).</summary>
    internal Func<Value[], Value> AsValueFunction(object f, int arity, SourcePos pos, string role)
    {
        if (f is ComparisonValue && arity == 2)
            throw Err(pos, $"a comparison like '==' is only accepted as select's predicate");
        if (f is not Callable fn)
            throw Err(pos, $"{role} must be a function (e.g. lambda x: x + 1), not {Runtime.A(f)}");
        if (!fn.Accepts(arity))
            throw Err(pos, $"{role} must take {Runtime.Plural(arity, "argument")}; {fn.Describe()} does not");
        if (fn is LambdaFunction lf && lf.Closure.Vars.FirstOrDefault(kv => kv.Value is SOp or Selector) is { Key: not null } captured)
            throw Err(pos, $"{role} uses the {Runtime.TypeName(captured.Value)} '{captured.Key}' from outside; " +
                           "a function given to map/sequence_map/select works on single values (pass SOps as arguments instead)");
        return xs =>
        {
            var ctx = new Ctx { Raw = true };
            var result = Invoke(fn, new CallInfo(this, xs, xs.Select(_ => pos).ToArray(), EmptyKwargs, pos, ctx));
            return result as Value ?? throw new PyTypeError(
                $"{pos}: {role} returned {Runtime.A(result)}, not a plain value (None, bool, int, float, str or tuple)");
        };
    }

    private static readonly IReadOnlyDictionary<string, (object, SourcePos)> EmptyKwargs = new Dictionary<string, (object, SourcePos)>();

    internal static string DescriptionOf(object f, int arity) => f switch
    {
        LambdaFunction l => l.Lambda.Source,
        UserFunction u => $"{u.Name}({string.Join(", ", u.Def.Params.Take(arity).Select(p => p.Name))})",
        BuiltinFunction b => arity == 1 ? $"{b.Name}(x)" : $"{b.Name}(x, y)",
        _ => "f",
    };
}
