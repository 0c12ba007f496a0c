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
        IReadOnlySet<string> compensatedHeads, IReadOnlyList<string> repairs)
    {
        if (!graph.TryGet("tokens", out var tokensNode))
            throw new CompilationException(CompilationErrorKind.Unsupported,
                "Failed to find a node with label tokens. A program must include rasp.tokens to be compiled.");

        var tokenValues = new ValueSet(tokensNode.ValueSet!);
        tokenValues.Add(Value.Str(options.CompilerBos));
        tokenValues.Add(Value.Str(options.CompilerPad));
        var tokenSpace = VectorSpace.FromValues("tokens", tokenValues);
        var indexSpace = VectorSpace.FromValues("indices", Enumerable.Range(0, options.MaxSeqLen).Select(i => Value.Int(i)));
        var outputSpace = graph.Sink.OutputSpace!;
        var residual = VectorSpace.Join(craft.Residual, tokenSpace, indexSpace, outputSpace);
        int[] Dims(VectorSpace s) => s.Basis.Select(residual.IndexOf).ToArray();

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
        var allHeads = craft.Sublayers.Where(s => s.IsAttention).SelectMany(s => s.Attention!.Heads).ToList();
        int numHeads = Math.Max(1, craft.Sublayers.Where(s => s.IsAttention).Select(s => s.Attention!.Heads.Count).DefaultIfEmpty(1).Max());
        int keySize = Math.Max(1, allHeads.Select(h => Math.Max(h.WQk.Left.Count, h.WQk.Right.Count)).DefaultIfEmpty(1).Max());
        int widestValue = allHeads.Select(h => h.WOv.Output.Count).DefaultIfEmpty(0).Max();
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
        int mlpHidden = Math.Max(1, craft.Sublayers.Where(s => !s.IsAttention).Select(s => s.Mlp!.Hidden.Count).DefaultIfEmpty(1).Max());

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
            if (space.Basis.Any(b => residual.IndexOf(b) < 0)) continue;
            variables.Add(new ResidualVariable(node.Label, sop.IsNumerical, Dims(space), space.Basis.Select(b => b.Value).ToArray()));
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
            Layers = Enumerable.Range(0, numLayers).Select(i => new CompiledLayer(heads[i], mlps[i])).ToList(),
            Config = new ModelConfig(numLayers, numHeads, keySize, mlpHidden, options.Causal),
            Variables = variables,
            Repairs = repairs,
        };
    }
}
