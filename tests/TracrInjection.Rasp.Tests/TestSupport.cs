using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

/// <summary>Reads golden JSON into Python-typed <see cref="Value"/>s.</summary>
public static class GoldenJson
{
    private static readonly ConcurrentDictionary<string, JsonDocument> Cache = new();

    /// <summary>The parsed <c>&lt;id&gt;.json</c> (cached; the documents are read-only).</summary>
    public static JsonElement Program(string id) =>
        Cache.GetOrAdd(id, i => JsonDocument.Parse(File.ReadAllBytes(GoldenFiles.PathOf(i + ".json")))).RootElement;

    public static JsonElement File_(string fileName) =>
        Cache.GetOrAdd(fileName, f => JsonDocument.Parse(File.ReadAllBytes(GoldenFiles.PathOf(f)))).RootElement;

    /// <summary>
    /// JSON → Python value as the golden writer produced it: <c>1</c> is an int, <c>1.0</c> a float, lists are
    /// tuples (the writer turns tuples into lists).
    /// </summary>
    public static Value ToValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => Value.None,
        JsonValueKind.True => Value.True,
        JsonValueKind.False => Value.False,
        JsonValueKind.String => Value.Str(e.GetString()!),
        JsonValueKind.Number => IsFloatLiteral(e.GetRawText())
            ? Value.Float(double.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture))
            : Value.Int(long.Parse(e.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
        JsonValueKind.Array => Value.Tuple(e.EnumerateArray().Select(ToValue).ToArray()),
        _ => throw new InvalidDataException($"Unexpected JSON value {e.GetRawText()}"),
    };

    private static bool IsFloatLiteral(string raw) => raw.IndexOfAny(['.', 'e', 'E']) >= 0 || raw is "NaN" or "Infinity" or "-Infinity";

    public static Value[] ToValues(JsonElement array) => array.EnumerateArray().Select(ToValue).ToArray();
}

/// <summary>Python-equality comparisons of evaluation results against golden values.</summary>
public static class PyAssert
{
    /// <summary>
    /// Python <c>==</c> with numbers within <paramref name="tol"/>; with <paramref name="strictTypes"/> the Python
    /// types must also agree (bool vs int vs float), as the golden JSON keeps them.
    /// </summary>
    public static bool Same(Value actual, Value expected, double tol = 1e-9, bool strictTypes = true)
    {
        if (strictTypes && actual.Kind != expected.Kind) return false;
        if (actual.IsNumber && expected.IsNumber)
        {
            if (actual.IsIntegral && expected.IsIntegral) return actual.AsLong == expected.AsLong;
            double a = actual.AsDouble, b = expected.AsDouble;
            return a == b || Math.Abs(a - b) <= tol;
        }
        if (actual.IsTuple && expected.IsTuple)
            return actual.Items.Count == expected.Items.Count &&
                   actual.Items.Zip(expected.Items).All(p => Same(p.First, p.Second, tol, strictTypes));
        return actual.Equals(expected);
    }

    public static string Show(IEnumerable<Value> xs) => "[" + string.Join(", ", xs.Select(x => x.Repr())) + "]";

    public static void SequenceSame(IReadOnlyList<Value> expected, IReadOnlyList<Value> actual, string context,
        double tol = 1e-9, bool strictTypes = true)
    {
        bool ok = expected.Count == actual.Count && expected.Zip(actual).All(p => Same(p.Second, p.First, tol, strictTypes));
        Assert.True(ok, $"{context}: expected {Show(expected)}, got {Show(actual)}");
    }
}

/// <summary>tracr's graph extraction order (spec §3.2), used to read labels exactly as the compiler does.</summary>
public static class RaspGraph
{
    /// <summary>
    /// Breadth-first from the tip: the tip's node first, then for each popped expression its children left to
    /// right, a child's node created (and its label, hence its id, read) on first sight. Returns the nodes in
    /// insertion order, keyed by label (first object seen with a label wins).
    /// <para>
    /// tracr re-expands an expression every time it is popped; a second expansion only meets children whose
    /// nodes already exist, so skipping re-expansion (as here) yields the same insertion order and labels
    /// while staying linear on graphs with much sharing.
    /// </para>
    /// </summary>
    public static List<(string Label, RaspExpr Expr)> Nodes(RaspExpr tip)
    {
        var byLabel = new Dictionary<string, RaspExpr>(StringComparer.Ordinal);
        var order = new List<(string, RaspExpr)>();
        void Ensure(RaspExpr e)
        {
            var label = e.Label;
            if (byLabel.ContainsKey(label)) return;
            byLabel[label] = e;
            order.Add((label, e));
        }

        var expanded = new HashSet<RaspExpr>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<RaspExpr>();
        Ensure(tip);
        queue.Enqueue(tip);
        while (queue.Count > 0)
        {
            var expr = queue.Dequeue();
            Ensure(expr);
            if (!expanded.Add(expr)) continue;
            foreach (var child in expr.Children)
            {
                queue.Enqueue(child);
                Ensure(child);
            }
        }
        return order;
    }
}

/// <summary>
/// Rebuilds a program so that every Select treats a None key or query as "not selected" instead of calling
/// its predicate (tracr's Comparison predicates raise <c>ValueError: key is None!</c>). This is the variant
/// the golden generator used for <c>paper_int_sum</c>'s <c>rasp_none_unselected</c> outputs. The rebuilt
/// expressions keep every function and default; Maps are rebuilt without re-simplification.
/// </summary>
public static class NoneUnselected
{
    public static SOp Rewrite(SOp program)
    {
        var memo = new Dictionary<RaspExpr, RaspExpr>(ReferenceEqualityComparer.Instance);
        return (SOp)R(program, memo);
    }

    private static RaspExpr R(RaspExpr e, Dictionary<RaspExpr, RaspExpr> memo)
    {
        if (memo.TryGetValue(e, out var done)) return done;
        RaspExpr result = e switch
        {
            TokensType or IndicesType or LengthType or Full or ConstantSOp or ConstantSelector => e,
            Map m => new Map(m.F, (SOp)R(m.Inner, memo), simplify: false, description: m.Description),
            LinearSequenceMap l => new LinearSequenceMap((SOp)R(l.Fst, memo), (SOp)R(l.Snd, memo), l.FstFac, l.SndFac),
            SequenceMap s => new SequenceMap(s.F, (SOp)R(s.Fst, memo), (SOp)R(s.Snd, memo), s.Description),
            Aggregate a => new Aggregate((Selector)R(a.Selector, memo), (SOp)R(a.Sop, memo), a.Default),
            SelectorWidth w => new SelectorWidth((Selector)R(w.Selector, memo)),
            Select s => new Select((SOp)R(s.Keys, memo), (SOp)R(s.Queries, memo),
                (k, q) => k.IsNone || q.IsNone ? Value.False : s.Predicate(k, q), s.Description),
            SelectorAnd a => new SelectorAnd((Selector)R(a.Fst, memo), (Selector)R(a.Snd, memo)),
            SelectorOr o => new SelectorOr((Selector)R(o.Fst, memo), (Selector)R(o.Snd, memo)),
            SelectorNot n => new SelectorNot((Selector)R(n.Inner, memo)),
            _ => throw new NotSupportedException(e.GetType().Name),
        };
        memo[e] = result;
        return result;
    }
}
