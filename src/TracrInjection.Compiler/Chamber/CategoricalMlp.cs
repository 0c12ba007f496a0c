using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Chamber;

/// <summary>tracr's <c>categorical_mlp</c>: Maps and SequenceMaps between categorical spaces (spec §4.4, §4.8).</summary>
public static class CategoricalMlp
{
    /// <summary>
    /// Categorical → categorical Map. The hidden space is the output space itself: unit (ℓ, f(x)) fires for
    /// input x, so hidden size = |V(ℓ)|. f is called without the arithmetic-error guard, as in tracr.
    /// </summary>
    public static Mlp MapCategorical(VectorSpace input, VectorSpace output, Func<Value, Value> f)
    {
        string outName = output.Count > 0 ? output[0].Name : "";
        var first = Linear.FromAction(input, output, d =>
        {
            var y = f(d.Value!);
            var dir = new BasisDirection(outName, y);
            return output.Contains(dir) ? [(dir, 1.0)] : [];
        });
        var second = Linear.FromAction(output, output, d => [(d, 1.0)]);
        return new Mlp(first, second);
    }

    /// <summary>
    /// Categorical → numerical Map: one hidden unit carrying f(x). Its ReLU clips negative f(x) to 0 (tracr bug
    /// B3); with <paramref name="keepNegatives"/> a second unit carries −f(x) so negative values survive.
    /// </summary>
    public static Mlp MapCategoricalToNumerical(VectorSpace input, VectorSpace output, Func<Value, Value> f, bool keepNegatives = false)
    {
        var outDir = output[0];
        var values = input.Basis.Select(d => ToDouble(f(d.Value!), d)).ToArray();
        if (!keepNegatives || values.All(v => v >= 0))
        {
            var hidden = new VectorSpace([outDir]);
            var first = Linear.FromAction(input, hidden, d => [(outDir, values[input.IndexOf(d)])]);
            var second = Linear.FromAction(hidden, output, _ => [(outDir, 1.0)]);
            return new Mlp(first, second);
        }
        var pos = new BasisDirection($"_hidden_{outDir.Name}_", Value.Int(1));
        var neg = new BasisDirection($"_hidden_{outDir.Name}_", Value.Int(-1));
        var h2 = new VectorSpace([pos, neg]);
        var fst = Linear.FromAction(input, h2, d => { double v = values[input.IndexOf(d)]; return [(pos, v), (neg, -v)]; });
        var snd = Linear.FromAction(h2, output, d => [(outDir, d.Equals(pos) ? 1.0 : -1.0)]);
        return new Mlp(fst, snd);
    }

    /// <summary>
    /// Two-input categorical SequenceMap: one hidden unit per (x, y) pair, ReLU(x + y − 1) = 1 iff both present.
    /// </summary>
    public static Mlp SequenceMapCategorical(VectorSpace input1, VectorSpace input2, VectorSpace output, VectorSpace oneSpace,
        Func<Value, Value, Value> f, string hiddenName)
    {
        if (input1.Basis.Any(input2.Contains))
            throw new CompilationException(CompilationErrorKind.Unsupported, $"Input spaces to a SequenceMap must be disjoint. Got {input1} and {input2}.");
        var input = VectorSpace.DirectSum(input1, input2, oneSpace);
        BasisDirection HiddenDir(BasisDirection d1, BasisDirection d2) =>
            new(hiddenName, Value.Tuple(Value.Str(d1.Name), d1.Value ?? Value.None, Value.Str(d2.Name), d2.Value ?? Value.None));

        var pairs = new List<(BasisDirection D1, BasisDirection D2, BasisDirection H)>(input1.Count * input2.Count);
        foreach (var d1 in input1.Basis)
            foreach (var d2 in input2.Basis) pairs.Add((d1, d2, HiddenDir(d1, d2)));
        var hidden = new VectorSpace(pairs.Select(p => p.H));
        // Pairs enumerated in (x, y) order are usually already sorted; then position = hidden index.
        bool inOrder = Enumerable.Range(0, pairs.Count).All(i => ReferenceEquals(hidden[i], pairs[i].H));
        int HiddenIndex(int i) => inOrder ? i : hidden.IndexOf(pairs[i].H);

        var m1 = new SparseMatrix(input.Count, hidden.Count);
        int oneRow = input.IndexOf(oneSpace[0]);
        var rowOf1 = input1.Basis.Select(input.IndexOf).ToArray();
        var rowOf2 = input2.Basis.Select(input.IndexOf).ToArray();
        for (int i = 0; i < pairs.Count; i++)
        {
            int col = HiddenIndex(i);
            m1[oneRow, col] = -1;
            m1[rowOf1[i / input2.Count], col] = 1;
            m1[rowOf2[i % input2.Count], col] = 1;
        }
        var first = new Linear(input, hidden, m1);

        string outName = output.Count > 0 ? output[0].Name : "";
        var m2 = new SparseMatrix(hidden.Count, output.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            var (d1, d2, _) = pairs[i];
            int j = output.IndexOf(new BasisDirection(outName, f(d1.Value!, d2.Value!)));
            if (j >= 0) m2[HiddenIndex(i), j] = 1;
        }
        return new Mlp(first, new Linear(hidden, output, m2));
    }

    internal static double ToDouble(Value v, BasisDirection at)
    {
        if (v.IsNumber) return v.AsDouble;
        throw new CompilationException(CompilationErrorKind.Unsupported,
            $"numerical Map produced {v.Repr()} ({v.TypeName}) for input {at}; a numerical SOp needs numbers");
    }
}
