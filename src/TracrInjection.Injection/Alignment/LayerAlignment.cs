using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Injection.Alignment;

/// <summary>
/// Which LM hidden state is aligned with which teacher layer boundary: <c>hidden_states[HiddenIndices[k]]</c> (0 =
/// embedding output, j ≥ 1 = output of block j−1) ↔ the compiled residual after <c>CompiledLayers[k]</c> tracr layers.
/// Detach-and-roll (and the causal test's noise) sit on the output of block <see cref="RollBlock"/>, the block after
/// the last aligned hidden state.
/// </summary>
public sealed record LayerAlignment(IReadOnlyList<int> HiddenIndices, IReadOnlyList<int> CompiledLayers, int RollBlock, LayerMappingMode Mode, string Note)
{
    /// <summary>
    /// The paper's identity mapping when the model has more than L blocks (<see cref="LayerMappingMode.Identity"/>
    /// or <see cref="LayerMappingMode.Auto"/>), else the packed mapping (<see cref="Packed"/>).
    /// </summary>
    public static LayerAlignment For(CompiledModel teacher, int modelLayers, LayerMappingMode mode)
    {
        int l = teacher.Layers.Count;
        if (mode != LayerMappingMode.Packed && modelLayers >= l + 1)
        {
            var idx = Enumerable.Range(0, l + 1).ToList();
            return new LayerAlignment(idx, idx, l, LayerMappingMode.Identity,
                $"identity: hidden_states[i] ↔ teacher after i layers, i = 0..{l}; detach-and-roll at block {l} (the paper)");
        }
        var packed = Packed(teacher, modelLayers);
        return mode == LayerMappingMode.Identity
            ? packed with { Note = $"the model has {modelLayers} blocks, the identity mapping needs {l + 1}; " + packed.Note }
            : packed;
    }

    /// <summary>
    /// Teacher layers grouped so that each group needs one LM block (a block runs one attention stage, then an MLP:
    /// a group ends before any teacher attention sublayer that follows a non-empty sublayer). With G groups and
    /// A = n_layer − 2 usable blocks (one block is kept after the roll block; n_layer − 1 for two-block models),
    /// the first min(G, A) blocks are aligned with group ends (spread evenly when G &gt; A).
    /// </summary>
    public static LayerAlignment Packed(CompiledModel teacher, int modelLayers)
    {
        if (modelLayers < 2) throw new ArgumentException($"injection needs a model with at least 2 blocks (this one has {modelLayers})");
        var ends = GroupEnds(teacher);
        int g = ends.Count;
        int available = modelLayers >= 3 ? modelLayers - 2 : modelLayers - 1;
        var chosen = new List<int>();
        if (g <= available) chosen.AddRange(ends);
        else for (int j = 1; j <= available; j++) chosen.Add(ends[(int)Math.Ceiling((double)j * g / available) - 1]);
        var hidden = Enumerable.Range(0, chosen.Count + 1).ToList();
        var compiled = new List<int> { 0 };
        compiled.AddRange(chosen);
        string note = $"packed: {g} attention stage group(s) ending after teacher layers [{string.Join(", ", ends)}]; " +
                      $"hidden_states[0..{chosen.Count}] ↔ teacher after [{string.Join(", ", compiled)}] layers; detach-and-roll at block {chosen.Count}";
        return new LayerAlignment(hidden, compiled, chosen.Count, LayerMappingMode.Packed, note);
    }

    /// <summary>Teacher layer counts at which a packed group ends (the last is L).</summary>
    public static List<int> GroupEnds(CompiledModel teacher)
    {
        var ends = new List<int>();
        bool groupHasContent = false;
        for (int l = 0; l < teacher.Layers.Count; l++)
        {
            var layer = teacher.Layers[l];
            bool attn = layer.Heads.Count > 0;
            if (attn && groupHasContent)
            {
                ends.Add(l);
                groupHasContent = false;
            }
            groupHasContent |= attn || layer.Mlp is not null;
        }
        ends.Add(teacher.Layers.Count);
        return ends;
    }
}
