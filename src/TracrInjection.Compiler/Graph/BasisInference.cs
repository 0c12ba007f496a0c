using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Graph;

/// <summary>tracr's <c>basis_inference.infer_bases</c>: the set of values each SOp can take, children first.</summary>
public static class BasisInference
{
    public static void Infer(RaspGraph graph, IReadOnlyList<Value> vocab, int maxSeqLen, bool exactNumericalMeans = false)
    {
        var done = new bool[graph.Nodes.Count];
        Visit(graph, graph.Sink, vocab, maxSeqLen, done, exactNumericalMeans);
        foreach (var node in graph.Nodes)
        {
            if (node.Expr is SOp sop && node.ValueSet is not null) node.OutputSpace = OutputSpaceOf(node.Label, sop, node.ValueSet);
        }
    }

    public static VectorSpace OutputSpaceOf(string label, SOp sop, ValueSet values) =>
        sop.IsNumerical ? new VectorSpace([new BasisDirection(label)]) : VectorSpace.FromValues(label, values);

    private static void Visit(RaspGraph g, GraphNode node, IReadOnlyList<Value> vocab, int n, bool[] done, bool exactMeans)
    {
        if (done[node.Index]) return;
        done[node.Index] = true;
        foreach (var p in node.PredecessorNodes) Visit(g, p, vocab, n, done, exactMeans);
        if (node.Expr is not SOp sop) return;
        node.ValueSet = Compute(g, sop, vocab, n, exactMeans);
    }

    private static ValueSet In(RaspGraph g, SOp s) => g.NodeOf(s).ValueSet!;

    private static ValueSet Compute(RaspGraph g, SOp sop, IReadOnlyList<Value> vocab, int n, bool exactMeans)
    {
        switch (sop)
        {
            case TokensType: return new ValueSet(vocab);
            case IndicesType: return new ValueSet(Enumerable.Range(0, n).Select(i => Value.Int(i)));
            case SelectorWidth: return new ValueSet(Enumerable.Range(0, n + 1).Select(i => Value.Int(i)));
            case Full f: return new ValueSet([f.Fill]);
            case Map m:
            {
                var r = new ValueSet();
                var f = m.F;
                foreach (var x in In(g, m.Inner).Sorted())
                {
                    var y = ArithmeticErrors.Ignoring(f, x);
                    if (y is not null && !y.IsNone) r.Add(y);
                }
                return r;
            }
            case SequenceMap s:
            {
                var r = new ValueSet();
                var ys = In(g, s.Snd).Sorted();
                var f = s.F;
                foreach (var x in In(g, s.Fst).Sorted())
                    foreach (var y in ys)
                    {
                        Value? z;
                        try { z = f(x, y); }
                        catch (PyArithmeticError) { z = null; }
                        if (z is not null && !z.IsNone) r.Add(z);
                    }
                return r;
            }
            case Aggregate a when a.IsCategorical:
                return In(g, a.Sop);
            case Aggregate a:
            {
                var input = In(g, a.Sop);
                foreach (var x in input)
                {
                    long asInt = (long)Math.Truncate(x.IsNumber ? x.AsDouble : double.NaN);
                    if (!x.IsNumber || (asInt != 0 && asInt != 1))
                        throw new CompilationException(CompilationErrorKind.Unsupported,
                            $"{a.Label}: Attention patterns can currently only average binary variables. Not: {{{string.Join(", ", input.Select(v => v.Repr()))}}}", a.Label);
                }
                var r = new ValueSet();
                if (exactMeans && input.All(x => x.Equals(Value.Int(0)) || x.Equals(Value.Int(1))))
                {
                    // Fix for tracr bug B2: a mean of w binary values can be any k/w, not only x/w.
                    r.Add(Value.Float(0.0));
                    for (int w = 1; w <= n; w++)
                        for (int k = 0; k <= w; k++) r.Add(Value.Float((double)k / w));
                    return r;
                }
                foreach (var x in input.Sorted())
                    for (int w = 1; w <= n; w++) r.Add(Py.Div(x, Value.Int(w)));
                return r;
            }
            default:
                throw new CompilationException(CompilationErrorKind.Unsupported,
                    $"{sop.Label}: Unsupported S-Op: {sop.GetType().Name} cannot be compiled (tracr has no construction for it).", sop.Label);
        }
    }
}
