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
        foreach (var d in input1.Basis)
            if (input2.Contains(d))
                throw new CompilationException(CompilationErrorKind.Unsupported, $"Input spaces to a SequenceMap must be disjoint. Got {input1} and {input2}.");
        var input = VectorSpace.DirectSum(input1, input2, oneSpace);
        int n1 = input1.Count, n2 = input2.Count, count = n1 * n2;

        // Hidden unit (x, y) for every pair, enumerated in (x, y) order.
        int hiddenHash = BasisDirection.NameHash(hiddenName);
        var dirs = new BasisDirection[count];
        var names2 = new Value[n2];
        for (int j = 0; j < n2; j++) names2[j] = Value.Str(input2[j].Name);
        for (int i = 0; i < n1; i++)
        {
            var d1 = input1[i];
            var name1 = Value.Str(d1.Name);
            var v1 = d1.Value ?? Value.None;
            for (int j = 0; j < n2; j++)
            {
                var d2 = input2[j];
                dirs[i * n2 + j] = new BasisDirection(hiddenName, hiddenHash, Value.Tuple(name1, v1, names2[j], d2.Value ?? Value.None));
            }
        }
        // Pairs enumerated in (x, y) order are usually already sorted; then position = hidden index. The tuples
        // share their names, so with totally ordered values on both sides they compare as (x, y) and are sorted
        // because both inputs are; otherwise the constructor checks (and sorts if needed).
        bool provablySorted = input1.Count > 0 && input2.Count > 0 && input1[0].Name is var n1Name &&
            input1.Basis.All(d => d.Name == n1Name) && input2.Basis.All(d => d.Name == input2[0].Name) &&
            VectorSpace.HasTotallyOrderedValues(input1) && VectorSpace.HasTotallyOrderedValues(input2);
        var hidden = provablySorted ? VectorSpace.FromSorted(dirs) : VectorSpace.Own(dirs);
        bool inOrder = hidden.UsesArray(dirs);
        int HiddenIndex(int p) => inOrder ? p : hidden.IndexOf(dirs[p]);

        var m1 = new SparseMatrix(input.Count, hidden.Count, 3 * count);
        int oneRow = input.IndexOf(oneSpace[0]);
        var rowOf1 = new int[n1];
        var rowOf2 = new int[n2];
        for (int i = 0; i < n1; i++) rowOf1[i] = input.IndexOf(input1[i]);
        for (int j = 0; j < n2; j++) rowOf2[j] = input.IndexOf(input2[j]);
        for (int p = 0; p < count; p++)
        {
            int col = HiddenIndex(p);
            m1[oneRow, col] = -1;
            m1[rowOf1[p / n2], col] = 1;
            m1[rowOf2[p % n2], col] = 1;
        }
        var first = new Linear(input, hidden, m1);

        string outName = output.Count > 0 ? output[0].Name : "";
        // Output direction (outName, y) by value: the same equality as looking the direction up in the space.
        var columnOf = new Dictionary<Value, int>(output.Count);
        for (int c = 0; c < output.Count; c++)
            if (output[c].Name == outName && output[c].Value is { } v) columnOf.TryAdd(v, c);
        var m2 = new SparseMatrix(hidden.Count, output.Count, count);
        for (int i = 0; i < n1; i++)
        {
            var x = input1[i].Value!;
            for (int j = 0; j < n2; j++)
            {
                var y = f(x, input2[j].Value!);
                int k = y is null || y.IsNone ? output.IndexOf(new BasisDirection(outName, y)) : columnOf.TryGetValue(y, out int col) ? col : -1;
                if (k >= 0) m2[HiddenIndex(i * n2 + j), k] = 1;
            }
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
