using TracrInjection.Compiler.Graph;
using TracrInjection.Rasp.Expressions;

namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// One SOp of the compiled program as the run-time averaging check sees it (issue 14, item 2): which SOps it
/// reads at its own position (<see cref="Same"/>: a Map's or SequenceMap's inputs, an Aggregate's or
/// SelectorWidth's queries) and which at other positions (<see cref="Across"/>: keys, and the aggregated SOp).
/// <see cref="CategoricalAggregate"/> marks the nodes whose output space can carry weight on several values.
/// </summary>
public sealed record DataflowNode(string Label, bool CategoricalAggregate, IReadOnlyList<string> Same, IReadOnlyList<string> Across);

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
                    nodes.Add(new DataflowNode(n.Label, a.IsCategorical, [L(sel.Queries)], [L(sel.Keys), L(a.Sop)]));
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
