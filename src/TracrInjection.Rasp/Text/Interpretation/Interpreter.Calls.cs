using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's lambdas, calls, user functions, and turning callables into the value functions map/select need.
public sealed partial class Interpreter
{
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
        var defaults = le.Params.Select(p => p.Default is null ? null : Eval(p.Default, s, new EvalContext())).ToArray();
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

    private object Call(CallExpr call, Scope s, EvalContext c)
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

    private void EvalArgs(CallExpr call, Scope s, EvalContext c, List<object> args, List<SourcePos> argPos, Dictionary<string, (object, SourcePos)> kwargs)
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
                return CallUser(u.Def.Name, u.Def.Params, u.Defaults, u.Closure, info, scope => ExecBlock(u.Def.Body, scope, info.Context)?.Value, u.Def.NamePos);
            case LambdaFunction l:
                return CallUser("<lambda>", l.Lambda.Params, l.Defaults, l.Closure, info, scope => Eval(l.Lambda.Body, scope, info.Context), l.Lambda.Pos);
            default:
                throw Err(info.CallPos, $"cannot call a {f.GetType().Name}");
        }
    }

    private object CallUser(string name, IReadOnlyList<Param> ps, object?[] defaults, Scope closure, CallInfo info,
        Func<Scope, object?> body, SourcePos defPos)
    {
        var c = info.Context;
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
        catch (RaspProgramException e) when (!c.InValueFunction && e.Notes.Count < 8 && name != "<lambda>")
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
            var ctx = new EvalContext { InValueFunction = true };
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
