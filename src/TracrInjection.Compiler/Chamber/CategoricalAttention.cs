using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Chamber;

/// <summary>
/// tracr's <c>categorical_attn</c> (spec §4.10): an attention head that averages the values of the selected
/// keys and falls back to BOS, which carries the default (zero), when nothing is selected. BOS scores half a
/// selected key (or a full one with <c>alwaysAttendToBos</c>, as SelectorWidth needs).
/// </summary>
public static class CategoricalAttention
{
    public const double SoftmaxColdness = 100;

    public static AttentionHead Build(VectorSpace querySpace, VectorSpace keySpace, VectorSpace valueSpace, VectorSpace outputSpace,
        BasisDirection bos, BasisDirection one, Func<BasisDirection, BasisDirection, double> attnFn,
        bool alwaysAttendToBos = false, bool useBosForDefaultOutput = true, double coldness = SoftmaxColdness)
    {
        var bosSpace = new VectorSpace(bos);
        var oneSpace = new VectorSpace(one);
        var q = VectorSpace.Join(querySpace, bosSpace, oneSpace);
        var k = VectorSpace.Join(keySpace, bosSpace);
        var v = VectorSpace.Join(valueSpace, bosSpace);

        var qk = new SparseMatrix(q.Count, k.Count);
        var keyIsSpecial = new bool[k.Count];
        var keyIsBos = new bool[k.Count];
        for (int j = 0; j < k.Count; j++)
        {
            keyIsBos[j] = k[j].Equals(bos);
            keyIsSpecial[j] = keyIsBos[j] || k[j].Equals(one);
        }
        for (int i = 0; i < q.Count; i++)
        {
            var qd = q[i];
            bool queryIsOne = qd.Equals(one), querySpecial = queryIsOne || qd.Equals(bos);
            for (int j = 0; j < k.Count; j++)
            {
                double s;
                if (keyIsBos[j] && queryIsOne) s = alwaysAttendToBos ? 1.0 : 0.5;
                else if (querySpecial || keyIsSpecial[j]) s = 0;
                else s = attnFn(qd, k[j]);
                if (s != 0) qk[i, j] = coldness * s;
            }
        }

        // Value directions are paired with output directions by position in the sorted bases.
        var valueBasis = new List<BasisDirection>(v.Count);
        foreach (var d in v.Basis) if (alwaysAttendToBos || !d.Equals(bos)) valueBasis.Add(d);
        if (valueBasis.Count != outputSpace.Count)
            throw new CompilationException(CompilationErrorKind.Internal,
                $"attention value space ({valueBasis.Count} directions) and output space ({outputSpace.Count}) differ in size");
        var ov = new SparseMatrix(v.Count, outputSpace.Count);
        for (int i = 0; i < valueBasis.Count; i++)
        {
            var d = valueBasis[i];
            if (useBosForDefaultOutput && d.Equals(bos)) continue;
            ov[v.IndexOf(d), i] = 1;
        }
        return new AttentionHead(new ScalarBilinear(q, k, qk), new Linear(v, outputSpace, ov));
    }

    /// <summary>A selector predicate as a score: tracr multiplies whatever the predicate returns by the coldness.</summary>
    public static double Score(Value predicateResult) => predicateResult.Kind switch
    {
        ValueKind.Bool or ValueKind.Int or ValueKind.Float => predicateResult.AsDouble,
        _ => predicateResult.IsTruthy ? 1 : 0,
    };
}
