using TracrInjection.Compiler.Graph;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// One SOp of the compiled program as the run-time averaging check sees it (issue 14, item 2): which SOps it
/// reads at its own position (<see cref="Same"/>: a Map's or SequenceMap's inputs, an Aggregate's or
/// SelectorWidth's queries) and which at other positions (<see cref="Across"/>: keys, and the aggregated SOp).
/// <see cref="CategoricalAggregate"/> marks the nodes whose output space can carry weight on several values.
/// </summary>
public sealed record DataflowNode(string Label, bool CategoricalAggregate, IReadOnlyList<string> Same, IReadOnlyList<string> Across)
{
    /// <summary>
    /// A categorical Aggregate of int/bool values whose int-vs-float type a later Map or SequenceMap tells apart
    /// (<see cref="Dataflow.IntMeanObservable"/>): where it selects several equal values RASP's mean is a float
    /// (<c>1.0</c>) and the model copies the int (<c>1</c>); the run-time check flags those positions.
    /// </summary>
    public bool IntMeanObservable { get; init; }
}

/// <summary>The program's data flow and its compile-time warnings.</summary>
public static class Dataflow
{
    public static List<DataflowNode> Of(RaspGraph graph)
    {
        var nodes = new List<DataflowNode>();
        foreach (var n in graph.Nodes)
        {
            if (n.Expr is not SOp sop) continue;
            string L(RaspExpr e) => graph.LabelOf(e);
            switch (sop)
            {
                case Map m: nodes.Add(new DataflowNode(n.Label, false, [L(m.Inner)], [])); break;
                case SequenceMap s: nodes.Add(new DataflowNode(n.Label, false, [L(s.Fst), L(s.Snd)], [])); break;
                case Aggregate { Selector: Select sel } a:
                    nodes.Add(new DataflowNode(n.Label, a.IsCategorical, [L(sel.Queries)], [L(sel.Keys), L(a.Sop)])
                    {
                        IntMeanObservable = a.IsCategorical && IntMeanObservable(graph, n),
                    });
                    break;
                case SelectorWidth { Selector: Select sel }:
                    nodes.Add(new DataflowNode(n.Label, false, [L(sel.Queries)], [L(sel.Keys)]));
                    break;
                default: nodes.Add(new DataflowNode(n.Label, false, [], [])); break;
            }
        }
        return nodes;
    }

    /// <summary>
    /// Whether replacing an int/bool value v of this categorical Aggregate by float(v) (RASP's mean of several
    /// equal values: <c>(1 + 1) / 2 == 1.0</c>) changes a value the program computes later: a Map or SequenceMap
    /// that gives unequal results (<c>str(1) != str(1.0)</c>), followed through Maps whose results are equal but
    /// typed differently (<c>x + 1</c>) and through categorical Aggregates that copy the value. Not the output
    /// itself: there <c>1 == 1.0</c>, as tracr's tests compare.
    /// </summary>
    public static bool IntMeanObservable(RaspGraph graph, GraphNode aggregate)
    {
        var values = aggregate.ValueSet;
        if (values is null) return false;
        var pairs = values.Where(v => v.IsIntegral).Select(v => (v, Value.Float(v.AsDouble))).ToList();
        if (pairs.Count == 0) return false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Observable(graph, aggregate, pairs, seen, 0);
    }

    private static bool Observable(RaspGraph graph, GraphNode node, List<(Value Model, Value Rasp)> pairs, HashSet<string> seen, int depth)
    {
        if (pairs.Count == 0 || depth > 64) return false;
        if (!seen.Add(node.Label + "\u0000" + string.Join("\u0000", pairs.Select(p => p.Model.Repr() + "\u0001" + p.Rasp.Repr())))) return false;
        foreach (var succLabel in node.Successors)
        {
            var succ = graph[succLabel];
            var next = new List<(Value, Value)>();
            bool unequal = false;
            void Compare(Func<Value> fa, Func<Value> fb)
            {
                Value? a = Try(fa), b = Try(fb);
                if (a is null || b is null || a.IsNone || b.IsNone) { unequal |= (a is null || a.IsNone) != (b is null || b.IsNone); return; }
                if (!a.Equals(b)) unequal = true;
                else if (a.Repr() != b.Repr()) next.Add((a, b));
            }
            switch (succ.Expr)
            {
                case Map m when ReferenceEquals(m.Inner, node.Expr) || graph.LabelOf(m.Inner) == node.Label:
                    foreach (var (a, b) in pairs) Compare(() => m.F(a), () => m.F(b));
                    break;
                case SequenceMap s and not LinearSequenceMap:
                {
                    bool fst = graph.LabelOf(s.Fst) == node.Label, snd = graph.LabelOf(s.Snd) == node.Label;
                    if (fst && snd)
                    {
                        foreach (var (a, b) in pairs) Compare(() => s.F(a, a), () => s.F(b, b));
                        break;
                    }
                    var other = graph.NodeOf(fst ? s.Snd : s.Fst).ValueSet;
                    if (other is null) break;
                    foreach (var o in other)
                        foreach (var (a, b) in pairs)
                            Compare(() => fst ? s.F(a, o) : s.F(o, a), () => fst ? s.F(b, o) : s.F(o, b));
                    break;
                }
                case Aggregate { IsCategorical: true } a when graph.LabelOf(a.Sop) == node.Label:
                    next.AddRange(pairs);
                    break;
                default:
                    continue; // selectors compare numbers by value (1 == 1.0, 1 < 2.0); numerical SOps cannot read it
            }
            if (unequal) return true;
            if (Observable(graph, succ, next.Distinct().ToList(), seen, depth + 1)) return true;
        }
        return false;
    }

    /// <summary>A function's value, or null where it raises (a Python error in one of the two is a difference).</summary>
    private static Value? Try(Func<Value> f)
    {
        try { return f(); }
        catch (Exception) { return null; }
    }

    /// <summary>
    /// Categorical Aggregates whose selector provably selects several positions (a TRUE comparison) of a SOp
    /// with several values: there RASP's value is a mean that no compiled model can give.
    /// </summary>
    public static List<string> CompileTimeWarnings(RaspGraph graph, CompilerOptions options)
    {
        var warnings = new List<string>();
        if (options.MaxSeqLen < 2) return warnings;
        foreach (var n in graph.Nodes)
        {
            if (n.Expr is not Aggregate { IsCategorical: true, Selector: Select { Comparison: Comparison.TRUE } } a) continue;
            var values = graph.NodeOf(a.Sop).ValueSet;
            if (values is null || values.Count < 2) continue;
            warnings.Add($"{n.Label}: categorical aggregate of {graph.LabelOf(a.Sop)} over a selector that selects every " +
                $"{(options.Causal ? "earlier " : "")}position (comparison TRUE); where those positions hold different values RASP's " +
                "value is their mean, which a categorical aggregate cannot give (the run-time check reports those positions)");
        }
        return warnings;
    }
}
