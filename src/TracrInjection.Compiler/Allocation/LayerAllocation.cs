using TracrInjection.Compiler.Craft;
using TracrInjection.Compiler.Graph;
using TracrInjection.Rasp.Expressions;

namespace TracrInjection.Compiler.Allocation;

/// <summary>
/// tracr's <c>craft_graph_to_model._allocate_modules_to_layers</c> (spec §5): longest-path depth, one
/// condensation rule, then even sublayers for attention and odd ones for MLPs.
/// </summary>
public static class LayerAllocation
{
    /// <summary>Depth of every node = the most SOps on a path from a source, the source not counted.</summary>
    public static Dictionary<string, int> ComputationalDepth(RaspGraph graph)
    {
        var depth = graph.Nodes.ToDictionary(n => n.Label, _ => -1, StringComparer.Ordinal);
        foreach (var node in TopologicalOrder(graph))
        {
            if (node.Predecessors.Count == 0)
            {
                depth[node.Label] = Math.Max(depth[node.Label], 0);
                continue;
            }
            int best = -1;
            foreach (var p in node.Predecessors)
            {
                if (depth[p] < 0) continue;
                best = Math.Max(best, depth[p] + (node.Expr is SOp ? 1 : 0));
            }
            depth[node.Label] = best;
        }
        return depth;
    }

    /// <summary>Sublayer index for every node with a model block (in the order tracr iterates them).</summary>
    public static List<(GraphNode Node, int Sublayer)> Allocate(RaspGraph graph)
    {
        var computational = ComputationalDepth(graph);
        var components = graph.Nodes.Where(n => n.Block is Mlp or AttentionHead or MultiAttentionHead or SeriesWithResiduals).ToList();
        if (components.Count == 0)
            throw new CompilationException(CompilationErrorKind.Unsupported,
                "The program has no computation to compile (tracr: \"min() arg is an empty sequence\"): its output is a primitive.");

        var depthOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var byDepth = new SortedDictionary<int, List<GraphNode>>();
        foreach (var n in components)
        {
            int d = computational[n.Label];
            depthOf[n.Label] = d;
            if (!byDepth.TryGetValue(d, out var list)) byDepth[d] = list = [];
            list.Add(n);
        }
        List<GraphNode> At(int d) => byDepth.TryGetValue(d, out var l) ? l : byDepth[d] = [];

        int min = byDepth.Keys.First(), max = byDepth.Keys.Last();
        for (int d = min; d < max; d++)
        {
            if (At(d).All(IsAttention) && At(d + 1).All(IsMlp))
            {
                for (int u = d + 1; u <= max; u++)
                {
                    foreach (var n in At(u)) depthOf[n.Label] = u - 1;
                    At(u - 1).AddRange(At(u));
                    byDepth[u] = [];
                }
                max--;
            }
        }

        var result = new List<(GraphNode, int)>();
        int currentLayer = 0, currentDepth = 1;
        // OrderBy is stable: equal depths keep graph-node order, as Python's sorted does.
        foreach (var n in components.OrderBy(n => depthOf[n.Label]))
        {
            int d = depthOf[n.Label];
            while (d > currentDepth)
            {
                currentDepth++;
                currentLayer += 2;
            }
            if (n.Block is SeriesWithResiduals) result.Add((n, currentLayer));
            else result.Add((n, currentLayer + (IsMlp(n) ? 1 : 0)));
        }
        return result;
    }

    private static bool IsAttention(GraphNode n) => n.Block is AttentionHead or MultiAttentionHead;
    private static bool IsMlp(GraphNode n) => n.Block is Mlp;

    private static List<GraphNode> TopologicalOrder(RaspGraph g)
    {
        var order = new List<GraphNode>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<(GraphNode Node, bool Exit)>();
        foreach (var root in g.Nodes)
        {
            if (state.ContainsKey(root.Label)) continue;
            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (n, exit) = stack.Pop();
                if (exit) { order.Add(n); state[n.Label] = 2; continue; }
                if (state.ContainsKey(n.Label)) continue;
                state[n.Label] = 1;
                stack.Push((n, true));
                foreach (var p in n.Predecessors) if (!state.ContainsKey(p)) stack.Push((g[p], false));
            }
        }
        return order;
    }
}
