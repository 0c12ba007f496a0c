namespace TracrInjection.Compiler.Craft;

/// <summary>A craft-level model component (tracr's <c>transformers.Block</c>).</summary>
public abstract class CraftBlock
{
    /// <summary>Labels of the RASP nodes this block computes.</summary>
    public List<string> Nodes { get; } = [];
}

/// <summary>One attention head: W_QK over (query, key) spaces and W_OV from value input to value output space.</summary>
public sealed class AttentionHead(ScalarBilinear wQk, Linear wOv) : CraftBlock
{
    public ScalarBilinear WQk { get; } = wQk;
    public Linear WOv { get; } = wOv;
    public string Op { get; init; } = "Aggregate";
}

/// <summary>Several heads in one attention sublayer, in tracr's order.</summary>
public sealed class MultiAttentionHead(IReadOnlyList<AttentionHead> heads) : CraftBlock
{
    public IReadOnlyList<AttentionHead> Heads { get; } = heads;
}

/// <summary>A ReLU MLP: <c>snd(ReLU(fst(x)))</c>; fst's output space is the hidden space.</summary>
public sealed class Mlp : CraftBlock
{
    public Mlp(Linear fst, Linear snd)
    {
        if (!fst.Output.SameAs(snd.Input)) throw new ArgumentException("MLP hidden spaces of fst and snd differ");
        Fst = fst;
        Snd = snd;
    }

    public Linear Fst { get; }
    public Linear Snd { get; }
    public VectorSpace Input => Fst.Input;
    public VectorSpace Hidden => Fst.Output;
    public VectorSpace Output => Snd.Output;

    /// <summary>Per-node parts before combination (for inspection).</summary>
    public List<Mlp> Parts { get; } = [];

    /// <summary>tracr's <c>MLP.combine_in_parallel</c>: equal hidden directions merge and their weights add.</summary>
    public static Mlp CombineInParallel(IReadOnlyList<Mlp> mlps)
    {
        // Combining one MLP changes nothing; skipping it saves re-indexing the paper's 43,200-unit layer.
        if (mlps.Count == 1 && mlps[0].Parts.Count == 0)
        {
            var single = new Mlp(mlps[0].Fst, mlps[0].Snd);
            single.Nodes.AddRange(mlps[0].Nodes);
            single.Parts.Add(mlps[0]);
            return single;
        }
        var combined = new Mlp(Linear.CombineInParallel(mlps.Select(m => m.Fst).ToList()),
                               Linear.CombineInParallel(mlps.Select(m => m.Snd).ToList()));
        foreach (var m in mlps)
        {
            combined.Nodes.AddRange(m.Nodes);
            if (m.Parts.Count > 0) combined.Parts.AddRange(m.Parts);
            else combined.Parts.Add(m);
        }
        return combined;
    }
}

/// <summary>SelectorWidth's attention + MLP pair, which the allocator places in one layer (tracr's residual block).</summary>
public sealed class SeriesWithResiduals(AttentionHead attention, Mlp mlp) : CraftBlock
{
    public AttentionHead Attention { get; } = attention;
    public Mlp Mlp { get; } = mlp;
}
