using TracrInjection.Compiler.Chamber;
using TracrInjection.Compiler.Craft;
using TracrInjection.Compiler.Graph;
using TracrInjection.Rasp.Expressions;

namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// Fix mode's answer to the leak of an Aggregate head (spec §8, §11 B5): tracr's scores are designed for
/// coldness c = 100, but the transformer divides logits by √key_size, so BOS (0.5c) beats an unselected key (0)
/// by only 50/√K. Over an empty selection every unselected key then leaks e^(−50/√K) of its value into the
/// output (1.8e-4 for a numerical mean at K ≈ 25, N = 8), and over a non-empty one BOS leaks its default.
/// Where the bound N·e^(−50/√K) exceeds <see cref="Tolerance"/> and the leak can reach a numerical value (the head is a
/// numerical mean, or a numerical SOp is downstream), the head's W_QK is multiplied by √K: the gap is 50 again
/// whatever the residual width, and the leak e^(−50) ≈ 2e-22 per key. Categorical-only consumers decode by
/// argmax/threshold and keep tracr's weights.
/// </summary>
public static class AttentionSharpening
{
    /// <summary>Largest tolerated leak bound N·e^(−0.5c/√K) (4× below the 1e-6 promise for numerical outputs).</summary>
    public const double Tolerance = 2.5e-7;

    public static double LeakBound(int keySize, int maxSeqLen) =>
        maxSeqLen * Math.Exp(-0.5 * CategoricalAttention.SoftmaxColdness / Math.Sqrt(keySize));

    public static List<string> HeadsToCompensate(RaspGraph graph, IEnumerable<AttentionHead> heads, int keySize, int maxSeqLen,
        IReadOnlySet<string> already)
    {
        var result = new List<string>();
        if (LeakBound(keySize, maxSeqLen) <= Tolerance) return result;
        foreach (var h in heads)
        {
            string? node = h.Nodes.FirstOrDefault();
            if (node is null || already.Contains(node) || !graph.TryGet(node, out var n) || n.Expr is not Aggregate) continue;
            if (ReachesNumerical(graph, n)) result.Add(node);
        }
        return result;
    }

    public static string RepairNote(string node) =>
        $"{node}: attention scores rescaled by √key_size (tracr's 1/√key_size scaling lets unselected keys and BOS leak into a numerical value, bug B5)";

    private static bool ReachesNumerical(RaspGraph graph, GraphNode start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<GraphNode>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n.Label)) continue;
            if (n.Expr is SOp { IsNumerical: true }) return true;
            foreach (var s in n.Successors) stack.Push(graph[s]);
        }
        return false;
    }
}
