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
        var depth = Depths(graph);
        var result = new Dictionary<string, int>(graph.Nodes.Count, StringComparer.Ordinal);
        foreach (var n in graph.Nodes) result[n.Label] = depth[n.Index];
        return result;
    }

    /// <summary><see cref="ComputationalDepth"/> by node index (a longest-path recursion, memoised).</summary>
    private static int[] Depths(RaspGraph graph)
    {
        var nodes = graph.Nodes;
        var depth = new int[nodes.Count];
        Array.Fill(depth, -1);
        var stack = new Stack<GraphNode>(nodes.Count);
        foreach (var root in nodes)
        {
            if (depth[root.Index] >= 0) continue;
            stack.Push(root);
            while (stack.Count > 0)
            {
                var n = stack.Peek();
                if (depth[n.Index] >= 0) { stack.Pop(); continue; }
                bool ready = true;
                foreach (var p in n.PredecessorNodes)
                {
                    if (depth[p.Index] < 0)
                    {
                        stack.Push(p);
                        ready = false;
                    }
                }
                if (!ready) continue;
                stack.Pop();
                int best = 0;
                int step = n.Expr is SOp ? 1 : 0;
                foreach (var p in n.PredecessorNodes) best = Math.Max(best, depth[p.Index] + step);
                depth[n.Index] = best;
            }
        }
        return depth;
    }

    /// <summary>Sublayer index for every node with a model block (in the order tracr iterates them).</summary>
    public static List<(GraphNode Node, int Sublayer)> Allocate(RaspGraph graph)
    {
        var computational = Depths(graph);
        var components = new List<GraphNode>();
        foreach (var n in graph.Nodes)
            if (n.Block is Mlp or AttentionHead or MultiAttentionHead or SeriesWithResiduals) components.Add(n);
        if (components.Count == 0)
            throw new CompilationException(CompilationErrorKind.Unsupported,
                "The program has no computation to compile (tracr: \"min() arg is an empty sequence\"): its output is a primitive.");

        int min = int.MaxValue, max = int.MinValue;
        foreach (var n in components)
        {
            min = Math.Min(min, computational[n.Index]);
            max = Math.Max(max, computational[n.Index]);
        }
        var byDepth = new List<GraphNode>[max - min + 1];
        for (int i = 0; i < byDepth.Length; i++) byDepth[i] = [];
        var depthOf = new int[graph.Nodes.Count];
        foreach (var n in components)
        {
            int d = computational[n.Index];
            depthOf[n.Index] = d;
            byDepth[d - min].Add(n);
        }
        List<GraphNode> At(int d) => byDepth[d - min];

        for (int d = min; d < max; d++)
        {
            if (At(d).TrueForAll(IsAttention) && At(d + 1).TrueForAll(IsMlp))
            {
                for (int u = d + 1; u <= max; u++)
                {
                    foreach (var n in At(u)) depthOf[n.Index] = u - 1;
                    At(u - 1).AddRange(At(u));
                    byDepth[u - min] = [];
                }
                max--;
            }
        }

        // Stable sort by depth: equal depths keep graph-node order, as Python's sorted does.
        var sorted = components.ToArray();
        var keys = new int[sorted.Length];
        for (int i = 0; i < sorted.Length; i++) keys[i] = depthOf[sorted[i].Index];
        for (int i = 1; i < sorted.Length; i++)
        {
            var x = sorted[i];
            int key = keys[i], j = i - 1;
            while (j >= 0 && keys[j] > key)
            {
                sorted[j + 1] = sorted[j];
                keys[j + 1] = keys[j];
                j--;
            }
            sorted[j + 1] = x;
            keys[j + 1] = key;
        }

        var result = new List<(GraphNode, int)>(sorted.Length);
        int currentLayer = 0, currentDepth = 1;
        for (int i = 0; i < sorted.Length; i++)
        {
            var n = sorted[i];
            int d = keys[i];
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
}
