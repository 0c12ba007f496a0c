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
        double leak = LeakBound(keySize, maxSeqLen);
        if (leak <= Tolerance) return result;
        foreach (var h in heads)
        {
            string? node = h.Nodes.FirstOrDefault();
            if (node is null || already.Contains(node) || !graph.TryGet(node, out var n)) continue;
            bool compensate = n.Expr switch
            {
                SelectorWidth => SelectorWidthLeaks(keySize, maxSeqLen),
                Aggregate a => ReachesNumerical(graph, n) || (a.IsCategorical && CategoricalLeaks(keySize, maxSeqLen)),
                _ => false,
            };
            if (compensate) result.Add(node);
        }
        return result;
    }

    /// <summary>
    /// A SelectorWidth head scores BOS c (always attend) and an unselected key 0, so each unselected key takes
    /// up to e^(−c/√K) of BOS's weight: the attention output 1/(w+1) moves by up to N·e^(−c/√K), which must stay
    /// well inside the decoder's half-gap between 1/N and 1/(N+1) (at K ≈ 2,500 it reads width 1 for an empty
    /// selection).
    /// </summary>
    public static bool SelectorWidthLeaks(int keySize, int maxSeqLen) =>
        maxSeqLen * Math.Exp(-CategoricalAttention.SoftmaxColdness / Math.Sqrt(keySize)) > 1.0 / (4.0 * maxSeqLen * (maxSeqLen + 1));

    /// <summary>
    /// A categorical Aggregate copies a selected key's value only if BOS (0.5c) and the unselected keys (0) take
    /// little weight: at K ≈ 400 BOS alone takes e^(−2.5) ≈ 8%, and the blurred one-hot reaches later MLPs.
    /// </summary>
    public static bool CategoricalLeaks(int keySize, int maxSeqLen)
    {
        double s = CategoricalAttention.SoftmaxColdness / Math.Sqrt(keySize);
        return Math.Exp(-s / 2) + maxSeqLen * Math.Exp(-s) > 0.01;
    }

    public static string RepairNote(string node) =>
        $"{node}: attention scores rescaled by √key_size (tracr's 1/√key_size scaling lets unselected keys and BOS leak into the head's output, bug B5)";

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
