using static TorchSharp.torch;

namespace TracrInjection.Models.Gpt2;

/// <summary>
/// Function-preserving depth growth: a deeper GPT-2 whose output equals a trained shallower one.
/// The trained blocks are spread evenly through the new stack in their order (block j goes to
/// position ⌊j·L/S⌋); every other block keeps its fresh initialisation except for its two residual
/// output projections (attention and MLP <c>c_proj</c>), which are zero, so it adds nothing to the
/// residual stream until training moves them. Gradients still reach those blocks: the projection
/// weights' gradients depend on the block's activations, which are non-zero from the start.
/// Embeddings and the final LayerNorm are copied. This reuses the compute already spent on the
/// shallow model instead of pretraining the deep one from scratch.
/// </summary>
public static class Gpt2DepthGrowth
{
    /// <summary>The position in the grown stack of each source block.</summary>
    public static int[] Placement(int sourceLayers, int targetLayers)
    {
        if (sourceLayers < 1 || targetLayers < sourceLayers)
            throw new ArgumentException($"depth growth needs 1 ≤ source layers ≤ target layers (got {sourceLayers} → {targetLayers}).");
        return Enumerable.Range(0, sourceLayers).Select(j => (int)((long)j * targetLayers / sourceLayers)).ToArray();
    }

    /// <summary>
    /// Overwrites <paramref name="target"/> (already initialised) with <paramref name="source"/>'s
    /// weights grown to its depth. Both must agree on everything but n_layer.
    /// </summary>
    public static void Grow(Gpt2Model source, Gpt2Model target)
    {
        var s = source.Config;
        var t = target.Config;
        var mismatches = new List<string>();
        if (s.VocabSize != t.VocabSize) mismatches.Add($"vocab_size {s.VocabSize} vs {t.VocabSize}");
        if (s.NEmbd != t.NEmbd) mismatches.Add($"n_embd {s.NEmbd} vs {t.NEmbd}");
        if (s.NHead != t.NHead) mismatches.Add($"n_head {s.NHead} vs {t.NHead}");
        if (s.NPositions != t.NPositions) mismatches.Add($"n_positions {s.NPositions} vs {t.NPositions}");
        if (s.NInner != t.NInner) mismatches.Add($"n_inner {s.NInner} vs {t.NInner}");
        if (mismatches.Count > 0)
            throw new ArgumentException($"the model to grow from differs in more than depth: {string.Join(", ", mismatches)}.");
        var placement = Placement(s.NLayer, t.NLayer);

        using var _ = no_grad();
        var targetParameters = target.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in source.named_parameters())
        {
            string mapped = name;
            if (name.StartsWith("h.", StringComparison.Ordinal))
            {
                int dot = name.IndexOf('.', 2);
                int j = int.Parse(name.AsSpan(2, dot - 2), System.Globalization.CultureInfo.InvariantCulture);
                mapped = $"h.{placement[j]}{name[dot..]}";
            }
            targetParameters[mapped].copy_(parameter);
        }
        var kept = placement.ToHashSet();
        for (int i = 0; i < t.NLayer; i++)
        {
            if (kept.Contains(i)) continue;
            var block = target.Blocks[i];
            block.Attention.OutputProjection.Weight.zero_();
            block.Attention.OutputProjection.Bias.zero_();
            block.Mlp.OutputProjection.Weight.zero_();
            block.Mlp.OutputProjection.Bias.zero_();
        }
    }
}
