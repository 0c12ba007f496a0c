using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Naming;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's expressions: evaluation, names, truthiness and iteration.
public sealed partial class Interpreter
{
    public object Eval(Expr e, Scope s, EvalContext c)
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
        var close = DidYouMean.Closest(s.VisibleNames(), name, Math.Max(1, name.Length / 3));
        string hint = close is not null ? $" (did you mean '{close}'?)" :
            name is "true" or "false" or "none" ? $" (Python spells it '{char.ToUpperInvariant(name[0])}{name[1..]}')" :
            name is "zipmap_" ? "" : "";
        throw Err(pos, $"name '{name}' is not defined{hint}");
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
}
