using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's indexing and slicing, lifted to SOps where the target or index is one.
public sealed partial class Interpreter
{
    private object Index(object target, object index, SourcePos pos, SourcePos indexPos, EvalContext c)
    {
        if (target is Selector || index is Selector) throw Err(pos, "a selector cannot be indexed");
        if (target is SOp || index is SOp)
        {
            if (target is SOp ts && index is SOp tis)
                return Rasp.SequenceMap((x, i) => RunValueFunction(pos, () => (Value)IndexValue(x, i)), ts, tis, "x[y]");
            if (target is SOp ts2)
            {
                if (index is not Value k) throw Err(indexPos, $"an SOp can only be indexed by a plain value or an SOp, not {Runtime.A(index)}");
                return Rasp.Map(x => RunValueFunction(pos, () => (Value)IndexValue(x, k)), ts2, $"x[{k.Repr()}]");
            }
            // a constant table indexed at every position (the original RASP's dict/list indexing)
            var table = target;
            if (table is RaspList tl && !tl.Items.All(i => i is Value) || table is RaspDict td && !td.Items.Values.All(i => i is Value))
                throw Err(pos, "a list or dict indexed by an SOp must hold plain values");
            if (table is not (RaspList or RaspDict or Value)) throw Err(pos, $"{Runtime.A(table)} cannot be indexed");
            return Rasp.Map(x => RunValueFunction(pos, () => (Value)IndexValue(table, x)), (SOp)index, $"{Runtime.Repr(table)}[x]");
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

    private object Slice(SliceExpr sl, Scope s, EvalContext c)
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
}
