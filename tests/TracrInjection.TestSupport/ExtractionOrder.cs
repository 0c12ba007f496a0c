using TracrInjection.Rasp.Expressions;

namespace TracrInjection.TestSupport;

/// <summary>tracr's graph extraction order (spec §3.2), used to read labels exactly as the compiler does.</summary>
public static class ExtractionOrder
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
