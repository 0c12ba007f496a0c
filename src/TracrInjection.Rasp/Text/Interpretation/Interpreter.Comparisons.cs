using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's comparisons and 'in': lifted to SOps like the operators, Python's on values.
public sealed partial class Interpreter
{
    private object Compare(CompareExpr ce, Scope s, EvalContext c)
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

    private object CompareOne(string op, object l, object r, SourcePos pos, EvalContext c)
    {
        if (l is Selector || r is Selector)
            throw Err(pos, $"'{op}' cannot be applied to a selector (compare the SOps it is selected from instead)");
        if (op is "in" or "not in")
        {
            bool negate = op == "not in";
            if (l is SOp || r is SOp)
            {
                if (l is SOp ls && r is SOp rs)
                    return Rasp.SequenceMap((x, y) => RunValueFunction(pos, () => Value.Bool(Contains(y, x) != negate)), ls, rs, $"x {op} y");
                if (l is SOp ls2)
                {
                    var container = r;
                    CheckContainer(container, pos);
                    return Rasp.Map(x => RunValueFunction(pos, () => Value.Bool(Contains(container, x) != negate)), ls2, $"x {op} {Runtime.Repr(container)}");
                }
                if (l is not Value k) throw Err(pos, $"'{op}' with an SOp needs a plain value on the left, not {Runtime.A(l)}");
                return Rasp.Map(x => RunValueFunction(pos, () => Value.Bool(Contains(x, k) != negate)), (SOp)r, $"{k.Repr()} {op} x");
            }
            return Guard(pos, c, () => Value.Bool(Contains(r, l) != negate));
        }
        if (l is SOp || r is SOp)
        {
            CheckElementwise(l, r, op, pos);
            if (l is SOp s && r is SOp t)
                return Rasp.SequenceMap((x, y) => RunValueFunction(pos, () => PyOperators.Compare(op, x, y)), s, t, $"x {op} y");
            if (l is SOp s2)
            {
                var k = (Value)r;
                return Rasp.Map(x => RunValueFunction(pos, () => PyOperators.Compare(op, x, k)), s2, $"x {op} {k.Repr()}");
            }
            // Python reflects a comparison with the constant on the left: 1 < s is s > 1.
            var k2 = (Value)l;
            string m = Mirror[op];
            return Rasp.Map(x => RunValueFunction(pos, () => PyOperators.Compare(m, x, k2)), (SOp)r, $"x {m} {k2.Repr()}");
        }
        if (l is Value a && r is Value b) return Guard(pos, c, () => PyOperators.Compare(op, a, b));
        if (op is "==" or "!=") return Value.Bool(ObjectEquals(l, r) == (op == "=="));
        if (IsSequenceLike(l, out var li, out var lt) && IsSequenceLike(r, out var ri, out var rt) && lt == rt)
        {
            for (int i = 0; i < Math.Min(li.Count, ri.Count); i++)
            {
                if (ObjectEquals(li[i], ri[i])) continue;
                return CompareOne(op, li[i], ri[i], pos, c);
            }
            return Guard(pos, c, () => PyOperators.Compare(op, Value.Int(li.Count), Value.Int(ri.Count)));
        }
        throw Err(pos, $"TypeError: '{op}' not supported between instances of '{Runtime.TypeName(l)}' and '{Runtime.TypeName(r)}'");
    }

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
}
