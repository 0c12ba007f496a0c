using TracrInjection.Compiler.Craft;

namespace TracrInjection.Compiler.Chamber;

/// <summary>
/// Fix mode's repair of bug B15 (spec-style note in DEVELOPERS.md): a discretising MLP (numerical → numerical or
/// numerical → categorical Map) computes f(nearest value to 0) at the BOS position, because BOS carries 0 in its
/// numerical input and 1 in <c>one</c>. That garbage flows on (through categorical MLPs) into the keys of a later
/// Select, where BOS then scores its fixed BOS score plus the predicate on the garbage: a SelectorWidth whose BOS
/// key also satisfies the predicate gets 2c at BOS and reads 0 for every query. The gate adds the BOS token
/// direction to the MLP's input with weight −M on every hidden unit, M larger than any pre-activation the unit can
/// have, so every unit is off at BOS and the MLP writes nothing there (as categorical MLPs already do).
/// </summary>
public static class BosGate
{
    /// <param name="inputBound">A bound on |x| of the numerical input at any position (its largest value).</param>
    public static Mlp Apply(Mlp mlp, BasisDirection bos, BasisDirection one, double inputBound)
    {
        var fst = mlp.Fst;
        var input = VectorSpace.Join(fst.Input, new VectorSpace(bos));
        int bosRow = input.IndexOf(bos);
        var rowOf = new int[fst.Input.Count];
        for (int r = 0; r < rowOf.Length; r++) rowOf[r] = input.IndexOf(fst.Input[r]);
        var bound = new double[fst.Output.Count];
        var w = new SparseMatrix(input.Count, fst.Output.Count);
        foreach (var (r, c, v) in fst.Matrix.Entries)
        {
            w.Add(rowOf[r], c, v);
            var d = fst.Input[r];
            bound[c] += Math.Abs(v) * (d.Equals(one) || d.Equals(bos) ? 1 : inputBound + 1);
        }
        for (int c = 0; c < bound.Length; c++) w.Add(bosRow, c, -(Math.Ceiling(bound[c]) + 1));
        var gated = new Mlp(new Linear(input, fst.Output, w), mlp.Snd);
        return gated;
    }
}
