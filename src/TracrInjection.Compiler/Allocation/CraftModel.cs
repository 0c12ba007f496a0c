using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Craft;
using TracrInjection.Compiler.Graph;

namespace TracrInjection.Compiler.Allocation;

/// <summary>One non-empty sublayer of the craft model: attention heads or one combined MLP.</summary>
public sealed record CraftSublayer(int TracrLayer, MultiAttentionHead? Attention, Mlp? Mlp)
{
    public bool IsAttention => Attention is not null;
}

/// <summary>tracr's craft model: the non-empty sublayers in order and the joint residual space.</summary>
public sealed class CraftModel
{
    public required IReadOnlyList<CraftSublayer> Sublayers { get; init; }
    public required VectorSpace Residual { get; init; }

    /// <summary>tracr's <c>_allocate_modules_to_layers</c> + <c>_get_model_blocks</c> (spec §5.3).</summary>
    /// <param name="tracrDefects">Tracr mode: receives the SelectorWidths that share a BOS clean-up unit (bug B6).</param>
    public static CraftModel Build(RaspGraph graph, bool separateCleanBosUnits = false, List<TracrDefect>? tracrDefects = null)
    {
        var allocation = LayerAllocation.Allocate(graph);
        int maxSublayer = 0;
        foreach (var (_, sub) in allocation) maxSublayer = Math.Max(maxSublayer, sub + 1);
        var blocksBySublayer = new List<CraftBlock>?[maxSublayer + 1];
        void Put(int s, CraftBlock b) => (blocksBySublayer[s] ??= []).Add(b);
        foreach (var (node, sub) in allocation)
        {
            if (node.Block is SeriesWithResiduals r)
            {
                r.Attention.Nodes.Clear(); r.Attention.Nodes.Add(node.Label);
                r.Mlp.Nodes.Clear(); r.Mlp.Nodes.Add(node.Label);
                Put(sub, r.Attention);
                Put(sub + 1, r.Mlp);
            }
            else Put(sub, node.Block!);
        }

        var residualParts = new List<VectorSpace>();
        var sublayers = new List<CraftSublayer>();
        for (int index = 0; index < blocksBySublayer.Length; index++)
        {
            var blocks = blocksBySublayer[index];
            if (blocks is null || blocks.Count == 0) continue;
            foreach (var b in blocks) residualParts.Add(ResidualOf(b));
            if (index % 2 == 0)
            {
                var heads = new List<AttentionHead>(blocks.Count);
                foreach (var b in blocks) heads.Add((AttentionHead)b);
                var multi = new MultiAttentionHead(heads);
                foreach (var h in heads) multi.Nodes.AddRange(h.Nodes);
                sublayers.Add(new CraftSublayer(index, multi, null));
            }
            else
            {
                var mlps = new List<Mlp>(blocks.Count);
                foreach (var b in blocks) mlps.Add((Mlp)b);
                if (separateCleanBosUnits) mlps = SeparateCleanBos(mlps);
                else if (tracrDefects is not null) NoteSharedCleanBos(mlps, tracrDefects);
                var combined = Mlp.CombineInParallel(mlps);
                sublayers.Add(new CraftSublayer(index, null, combined));
            }
        }
        return new CraftModel { Sublayers = sublayers, Residual = VectorSpace.JoinMapped(residualParts, null) };
    }

    private static VectorSpace ResidualOf(CraftBlock b) => b switch
    {
        AttentionHead h => VectorSpace.JoinMapped([h.WQk.Left, h.WQk.Right, h.WOv.Input, h.WOv.Output], null),
        Mlp m => VectorSpace.JoinMapped([m.Input, m.Output], null),
        _ => throw new InvalidOperationException(b.GetType().Name),
    };

    /// <summary>
    /// Fix for tracr bug B6: every SelectorWidth names its BOS clean-up unit <c>_hidden_clean_bos_</c>, so two of
    /// them in one MLP share (and double) it. Only when that happens, each gets a unit named after its node.
    /// </summary>
    private static List<Mlp> SeparateCleanBos(List<Mlp> mlps)
    {
        var clean = new BasisDirection("_hidden_clean_bos_");
        if (mlps.Count(m => m.Hidden.Contains(clean)) < 2) return mlps;
        return mlps.Select(m => m.Hidden.Contains(clean) ? RenameHidden(m, clean, new BasisDirection($"_hidden_clean_bos_{m.Nodes[0]}_")) : m).ToList();
    }

    /// <summary>Tracr mode: the SelectorWidths that <see cref="SeparateCleanBos"/> would separate.</summary>
    private static void NoteSharedCleanBos(List<Mlp> mlps, List<TracrDefect> defects)
    {
        var clean = new BasisDirection("_hidden_clean_bos_");
        var sharing = mlps.Where(m => m.Hidden.Contains(clean)).Select(m => m.Nodes[0]).ToList();
        if (sharing.Count < 2) return;
        foreach (var node in sharing)
            defects.Add(new TracrDefect(node, "B6",
                $"SelectorWidth shares tracr's BOS clean-up unit with {string.Join(", ", sharing.Where(n => n != node))}, so the BOS " +
                "residual is left at -1 and later layers read it: affects inputs of every length from 1"));
    }

    private static Mlp RenameHidden(Mlp m, BasisDirection from, BasisDirection to)
    {
        BasisDirection R(BasisDirection d) => d.Equals(from) ? to : d;
        var hidden = new VectorSpace(m.Hidden.Basis.Select(R));
        var m1 = new SparseMatrix(m.Input.Count, hidden.Count);
        foreach (var (r, c, v) in m.Fst.Matrix.Entries) m1[r, hidden.IndexOf(R(m.Hidden[c]))] = v;
        var m2 = new SparseMatrix(hidden.Count, m.Output.Count);
        foreach (var (r, c, v) in m.Snd.Matrix.Entries) m2[hidden.IndexOf(R(m.Hidden[r])), c] = v;
        var renamed = new Mlp(new Linear(m.Input, hidden, m1), new Linear(hidden, m.Output, m2));
        renamed.Nodes.AddRange(m.Nodes);
        return renamed;
    }
}
