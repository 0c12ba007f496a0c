using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Evaluation;

/// <summary>
/// tracr's <c>DefaultRASPEvaluator</c> and, with <c>causal</c>, its <c>CausalEvaluator</c> (every selector,
/// nested ones included, AND-ed with key ≤ query). Results are memoised per expression object within one
/// evaluation, which does not change results because expressions are pure.
/// </summary>
public sealed class RaspEvaluator
{
    private readonly IReadOnlyList<Value> _xs;
    private readonly bool _causal;
    private readonly Dictionary<RaspExpr, object> _memo = new(ReferenceEqualityComparer.Instance);

    private RaspEvaluator(IReadOnlyList<Value> xs, bool causal)
    {
        _xs = xs;
        _causal = causal;
    }

    /// <summary>Observer called after every Aggregate is evaluated (dynamic validation hooks in here).</summary>
    public Action<Aggregate, Value[], Value[]>? OnAggregate { get; init; }

    public static Value[] Evaluate(SOp program, IReadOnlyList<Value> xs, bool causal = false) =>
        new RaspEvaluator(xs, causal).Eval(program);

    public static bool[,] EvaluateSelector(Selector selector, IReadOnlyList<Value> xs, bool causal = false) =>
        new RaspEvaluator(xs, causal).Eval(selector);

    /// <summary>Evaluates with an observer of every Aggregate (its output and the aggregated values).</summary>
    public static Value[] Evaluate(SOp program, IReadOnlyList<Value> xs, bool causal, Action<Aggregate, Value[], Value[]> onAggregate) =>
        new RaspEvaluator(xs, causal) { OnAggregate = onAggregate }.Eval(program);

    private Value[] Eval(SOp sop)
    {
        if (_memo.TryGetValue(sop, out var cached)) return (Value[])cached;
        var result = Compute(sop);
        _memo[sop] = result;
        return result;
    }

    private bool[,] Eval(Selector sel)
    {
        if (_memo.TryGetValue(sel, out var cached)) return (bool[,])cached;
        var result = Compute(sel);
        if (_causal)
        {
            int n = result.GetLength(0);
            for (int q = 0; q < n; q++)
                for (int k = q + 1; k < n; k++) result[q, k] = false;
        }
        _memo[sel] = result;
        return result;
    }

    private Value[] Compute(SOp sop)
    {
        int n = _xs.Count;
        switch (sop)
        {
            case TokensType: return _xs.ToArray();
            case IndicesType: return Enumerable.Range(0, n).Select(i => Value.Int(i)).ToArray();
            case LengthType: return Enumerable.Repeat(Value.Int(n), n).ToArray();
            case Full full: return Enumerable.Repeat(full.Fill, n).ToArray();
            case ConstantSOp c:
                if (c.CheckLength && c.Values.Count != n)
                    throw new PyValueError($"Constant len {c.Values.Count} doesn't match input len {n}.");
                return c.Values.ToArray();
            case Map m:
            {
                var inner = Eval(m.Inner);
                return inner.Select(x => x.IsNone ? Value.None : m.F(x)).ToArray();
            }
            case SequenceMap s:
            {
                var a = Eval(s.Fst);
                var b = Eval(s.Snd);
                var r = new Value[n];
                for (int i = 0; i < n; i++) r[i] = a[i].IsNone || b[i].IsNone ? Value.None : s.F(a[i], b[i]);
                return r;
            }
            case SelectorWidth w:
            {
                var m = Eval(w.Selector);
                var r = new Value[n];
                for (int q = 0; q < n; q++)
                {
                    int count = 0;
                    for (int k = 0; k < n; k++) if (m[q, k]) count++;
                    r[q] = Value.Int(count);
                }
                return r;
            }
            case Aggregate agg:
            {
                var m = Eval(agg.Selector);
                var values = Eval(agg.Sop);
                var r = new Value[n];
                for (int q = 0; q < n; q++)
                {
                    var selected = new List<Value>();
                    for (int k = 0; k < n; k++) if (m[q, k]) selected.Add(values[k]);
                    r[q] = Mean(selected, agg.Default);
                }
                OnAggregate?.Invoke(agg, r, values);
                return r;
            }
            default:
                throw new NotSupportedException($"Cannot evaluate {sop.GetType().Name} ({sop.Label}).");
        }
    }

    private bool[,] Compute(Selector sel)
    {
        int n = _xs.Count;
        var r = new bool[n, n];
        switch (sel)
        {
            case Select s:
            {
                var keys = Eval(s.Keys);
                var queries = Eval(s.Queries);
                for (int q = 0; q < n; q++)
                    for (int k = 0; k < n; k++) r[q, k] = s.Predicate(keys[k], queries[q]).IsTruthy;
                return r;
            }
            case ConstantSelector c:
                if (c.CheckLength && (c.Value.GetLength(0) != n || c.Value.GetLength(1) != n))
                    throw new PyValueError($"Constant len {c.Value.GetLength(0)} doesn't match input len {n}.");
                return (bool[,])c.Value.Clone();
            case SelectorAnd a:
            {
                var x = Eval(a.Fst); var y = Eval(a.Snd);
                for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) r[q, k] = x[q, k] && y[q, k];
                return r;
            }
            case SelectorOr o:
            {
                var x = Eval(o.Fst); var y = Eval(o.Snd);
                for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) r[q, k] = x[q, k] || y[q, k];
                return r;
            }
            case SelectorNot not:
            {
                var x = Eval(not.Inner);
                for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) r[q, k] = !x[q, k];
                return r;
            }
            default:
                throw new NotSupportedException($"Cannot evaluate {sel.GetType().Name} ({sel.Label}).");
        }
    }

    /// <summary>tracr's aggregation "mean": one selected value is returned unchanged (type kept).</summary>
    private static Value Mean(List<Value> xs, Value @default)
    {
        if (xs.Count == 0) return @default;
        if (xs.Count == 1) return xs[0];
        if (!xs.All(x => x.IsNumber))
            throw new PyValueError("Only types int, bool, and float are supported for aggregation. Received: " +
                                   string.Join(", ", xs.Select(x => x.TypeName).Distinct()));
        Value sum = Value.Int(0);
        foreach (var x in xs) sum = Py.Add(sum, x);
        return Py.Div(sum, Value.Int(xs.Count));
    }
}
