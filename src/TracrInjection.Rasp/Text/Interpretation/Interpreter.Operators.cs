using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's unary and binary operators: on SOps they build Maps/SequenceMaps (tracr's operator sugar), on values they are Python's (PyOperators).
public sealed partial class Interpreter
{
    private object Unary(string op, object v, SourcePos pos, EvalContext c)
    {
        switch (v)
        {
            case SOp sop:
                return op switch
                {
                    "+" => sop,
                    "-" => Rasp.Map(x => RunValueFunction(pos, () => Py.Neg(x)), sop, "-x"),
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
    internal static Value RunValueFunction(SourcePos pos, Func<Value> f) => Guard(pos, ValueFunctionContext, f);

    private static readonly EvalContext ValueFunctionContext = new() { InValueFunction = true };

    private object Binary(string op, object l, object r, SourcePos pos, EvalContext c)
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
            if (op is "&" or "|") return ElementwiseLogical(op == "&" ? "and" : "or", l, r, pos);
            CheckElementwise(l, r, op, pos);
            if (l is SOp s && r is SOp t)
                return Rasp.SequenceMap((x, y) => RunValueFunction(pos, () => PyOperators.Binary(op, x, y)), s, t, $"x {op} y");
            if (l is SOp s2)
            {
                var k = (Value)r;
                return Rasp.Map(x => RunValueFunction(pos, () => PyOperators.Binary(op, x, k)), s2, $"x {op} {k.Repr()}");
            }
            var k2 = (Value)l;
            return Rasp.Map(x => RunValueFunction(pos, () => PyOperators.Binary(op, k2, x)), (SOp)r, $"{k2.Repr()} {op} x");
        }
        if (l is Value va && r is Value vb) return Guard(pos, c, () => PyOperators.Binary(op, va, vb));

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

    private static void CheckElementwise(object l, object r, string op, SourcePos pos)
    {
        foreach (var o in new[] { l, r })
            if (o is not (SOp or Value))
                throw Err(pos, $"'{op}' cannot combine an SOp with {Runtime.A(o)} (only with another SOp or a plain value)");
    }

    /// <summary>
    /// tracr's <c>&amp;</c> / <c>|</c> on SOps (Python's and/or at every position): SOp-SOp gives a SequenceMap; SOp-value
    /// a Map; value <c>|</c> SOp gives <c>Map(x or value)</c>, tracr's unswapped <c>__ror__</c>.
    /// </summary>
    private static SOp ElementwiseLogical(string op, object l, object r, SourcePos pos)
    {
        CheckElementwise(l, r, op, pos);
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

    private object BoolOp(BoolOpExpr bo, Scope s, EvalContext c)
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
            return ElementwiseLogical(bo.Op, left, right, bo.Pos);
        }
        // A plain value on the left short-circuits, as in Python.
        bool truth = Truthy(left, bo.Left.Pos, $"the left side of '{bo.Op}'");
        if (bo.Op == "and" ? !truth : truth) return left;
        var r2 = Eval(bo.Right, s, c);
        if (r2 is SOp) return ElementwiseLogical(bo.Op, left, r2, bo.Pos);
        if (r2 is Selector) throw Err(bo.Pos, $"'{bo.Op}' cannot combine {Runtime.A(left)} with a selector");
        return r2;
    }

    private object Conditional(IfExpr ie, Scope s, EvalContext c)
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
        return Elementwise([then, cond, other], v => v[1].IsTruthy ? v[0] : v[2], ie.Source, ie.Pos);
    }

    /// <summary>
    /// Applies a function of plain values at every position: one SOp argument gives a Map, two a SequenceMap, more
    /// tracr's <c>make_nary_sequencemap</c> (tuples, then a Map).
    /// </summary>
    internal static SOp Elementwise(IReadOnlyList<object> args, Func<Value[], Value> f, string description, SourcePos pos)
    {
        var sopAt = Enumerable.Range(0, args.Count).Where(i => args[i] is SOp).ToArray();
        var template = args.Select(a => a as Value ?? Value.None).ToArray();
        Value Call(IReadOnlyList<Value> xs)
        {
            var vals = (Value[])template.Clone();
            for (int k = 0; k < sopAt.Length; k++) vals[sopAt[k]] = xs[k];
            return RunValueFunction(pos, () => f(vals));
        }
        var sops = sopAt.Select(i => (SOp)args[i]).ToArray();
        return sops.Length switch
        {
            1 => Rasp.Map(x => Call([x]), sops[0], description),
            2 => Rasp.SequenceMap((x, y) => Call([x, y]), sops[0], sops[1], description),
            _ => new Lib().MakeNarySequenceMap(xs => Call(xs), description, sops),
        };
    }
}
