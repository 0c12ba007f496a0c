using TracrInjection.Compiler.Allocation;
using TracrInjection.Compiler.Craft;
using TracrInjection.Compiler.Graph;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Assembly;

/// <summary>tracr's <c>craft_model_to_transformer</c> + <c>assemble</c> (spec §6), into per-layer arrays.</summary>
public static class Assembler
{
    public static CompiledModel Assemble(RaspGraph graph, CraftModel craft, CompilerOptions options,
        IReadOnlySet<string> compensatedHeads, IReadOnlyList<string> repairs, IReadOnlyList<TracrDefect>? tracrDefects = null)
    {
        if (!graph.TryGet("tokens", out var tokensNode))
            throw new CompilationException(CompilationErrorKind.Unsupported,
                "Failed to find a node with label tokens. A program must include rasp.tokens to be compiled.");

        var tokenSpace = TokenSpace(tokensNode, options);
        var indexSpace = graph.TryGet("indices", out var indicesNode) && indicesNode.Expr is IndicesType && indicesNode.OutputSpace is { } known &&
                         known.Count == options.MaxSeqLen
            ? known
            : VectorSpace.FromValues("indices", Enumerable.Range(0, options.MaxSeqLen).Select(i => Value.Int(i)));
        var outputSpace = graph.Sink.OutputSpace!;
        var residual = VectorSpace.Join(craft.Residual, tokenSpace, indexSpace, outputSpace);
        int[] Dims(VectorSpace s)
        {
            var dims = new int[s.Count];
            for (int i = 0; i < dims.Length; i++) dims[i] = residual.IndexOf(s[i]);
            return dims;
        }

        // Module names are handed out greedily from layer_0/attn, layer_0/mlp, ... skipping the wrong kind.
        var layerOf = new List<int>();
        int slot = 0;
        foreach (var sub in craft.Sublayers)
        {
            bool wantAttn = sub.IsAttention;
            while ((slot % 2 == 0) != wantAttn) slot++;
            layerOf.Add(slot / 2);
            slot++;
        }
        int numLayers = layerOf.Count == 0 ? 0 : layerOf[^1] + 1;
        var allHeads = new List<AttentionHead>();
        int numHeads = 1, keySize = 1, widestValue = 0, mlpHidden = 1;
        foreach (var sub in craft.Sublayers)
        {
            if (sub.IsAttention)
            {
                numHeads = Math.Max(numHeads, sub.Attention!.Heads.Count);
                foreach (var h in sub.Attention.Heads)
                {
                    allHeads.Add(h);
                    keySize = Math.Max(keySize, Math.Max(h.WQk.Left.Count, h.WQk.Right.Count));
                    widestValue = Math.Max(widestValue, h.WOv.Output.Count);
                }
            }
            else mlpHidden = Math.Max(mlpHidden, sub.Mlp!.Hidden.Count);
        }
        if (widestValue > keySize)
        {
            var head = allHeads.First(h => h.WOv.Output.Count == widestValue);
            if (!options.FixTracrBugs)
                throw new CompilationException(CompilationErrorKind.Unsupported,
                    $"{head.Nodes.FirstOrDefault()}: its attention output has {widestValue} values but tracr's key_size is {keySize} " +
                    "(tracr sizes value blocks by the query/key width and fails here, bug B1); compile with the tracr-bug fixes to widen key_size",
                    head.Nodes.FirstOrDefault());
            keySize = widestValue;
        }

        if (options.FixTracrBugs)
        {
            var sharpened = AttentionSharpening.HeadsToCompensate(graph, allHeads, keySize, options.MaxSeqLen, compensatedHeads);
            if (sharpened.Count > 0)
            {
                compensatedHeads = new HashSet<string>(compensatedHeads.Concat(sharpened), StringComparer.Ordinal);
                repairs = [.. repairs, .. sharpened.Select(AttentionSharpening.RepairNote)];
            }
        }

        var heads = new List<CompiledHead>[numLayers];
        var mlps = new CompiledMlp?[numLayers];
        for (int i = 0; i < numLayers; i++) heads[i] = [];
        float sqrtK = (float)Math.Sqrt(keySize);
        for (int s = 0; s < craft.Sublayers.Count; s++)
        {
            var sub = craft.Sublayers[s];
            int layer = layerOf[s];
            if (sub.IsAttention)
            {
                foreach (var h in sub.Attention!.Heads)
                {
                    string node = h.Nodes.FirstOrDefault() ?? "";
                    double scale = compensatedHeads.Contains(node) ? sqrtK : 1.0;
                    heads[layer].Add(new CompiledHead(node, h.Op, Dims(h.WQk.Left), Dims(h.WQk.Right), SparseWeights.FromCraft(h.WQk.Matrix, scale),
                        Dims(h.WOv.Input), Dims(h.WOv.Output), SparseWeights.FromCraft(h.WOv.Matrix, 1.0)));
                }
            }
            else
            {
                var m = sub.Mlp!;
                var hidden = m.Hidden;
                mlps[layer] = new CompiledMlp(m.Nodes.ToList(), Dims(m.Input), SparseWeights.FromCraft(m.Fst.Matrix, 1.0), Dims(m.Output),
                    SparseWeights.FromCraft(m.Snd.Matrix, 1.0), new LazyLabels(hidden.Count, i => hidden[i].ToString()));
            }
        }

        var variables = new List<ResidualVariable>();
        foreach (var node in graph.Nodes)
        {
            if (node.Expr is not SOp sop || node.OutputSpace is null) continue;
            var space = node.Label == "tokens" ? tokenSpace : node.OutputSpace;
            var dims = Dims(space);
            if (Array.IndexOf(dims, -1) >= 0) continue;
            var values = new Value?[space.Count];
            for (int i = 0; i < values.Length; i++) values[i] = space[i].Value;
            variables.Add(new ResidualVariable(node.Label, sop.IsNumerical, dims, values));
        }
        variables.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var sinkExpr = (SOp)graph.Sink.Expr;
        return new CompiledModel
        {
            Options = options,
            OutputLabel = graph.Sink.Label,
            ResidualLabels = new LazyLabels(residual.Count, i => residual[i].ToString()),
            TokenVocabulary = tokenSpace.Basis.Select(b => b.Value!).ToList(),
            TokenDims = Dims(tokenSpace),
            OneDim = residual.IndexOf(new BasisDirection("one")),
            IndexDims = Dims(indexSpace),
            OutputDims = Dims(outputSpace),
            CategoricalOutput = sinkExpr.IsCategorical,
            OutputValues = sinkExpr.IsCategorical ? outputSpace.Basis.Select(b => b.Value!).ToList() : [],
            Layers = Layers(heads, mlps),
            Config = new ModelConfig(numLayers, numHeads, keySize, mlpHidden, options.Causal),
            Variables = variables,
            Repairs = repairs,
            Dataflow = Dataflow.Of(graph),
            Warnings = Dataflow.CompileTimeWarnings(graph, options),
            TracrDefects = tracrDefects ?? [],
        };
    }

    private static List<CompiledLayer> Layers(List<CompiledHead>[] heads, CompiledMlp?[] mlps)
    {
        var layers = new List<CompiledLayer>(heads.Length);
        for (int i = 0; i < heads.Length; i++) layers.Add(new CompiledLayer(heads[i], mlps[i]));
        return layers;
    }

    /// <summary>
    /// tracr's token space: the tokens' value set plus BOS and PAD, sorted. With string tokens (a total order) that
    /// is the tokens node's sorted space merged with the two; otherwise it is sorted from the value set as tracr does.
    /// </summary>
    private static VectorSpace TokenSpace(GraphNode tokensNode, CompilerOptions options)
    {
        if (tokensNode.Expr is TokensType && tokensNode.OutputSpace is { } space && space.Count == tokensNode.ValueSet!.Count)
        {
            bool strings = true;
            foreach (var d in space.Basis) strings &= d.Value is { IsString: true };
            if (strings)
                return VectorSpace.Join(space, new VectorSpace([new BasisDirection("tokens", Value.Str(options.CompilerBos)),
                    new BasisDirection("tokens", Value.Str(options.CompilerPad))]));
        }
        var tokenValues = new ValueSet(tokensNode.ValueSet!);
        tokenValues.Add(Value.Str(options.CompilerBos));
        tokenValues.Add(Value.Str(options.CompilerPad));
        return VectorSpace.FromValues("tokens", tokenValues);
    }
}
