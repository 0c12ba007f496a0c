namespace TracrInjection.Compiler.Craft;

/// <summary>tracr's <c>vectorspace_fns.Linear</c>: a matrix [|input| × |output|] applied as row-vector × matrix.</summary>
public sealed class Linear
{
    public Linear(VectorSpace input, VectorSpace output, SparseMatrix matrix)
    {
        if (matrix.Rows != input.Count || matrix.Cols != output.Count)
            throw new ArgumentException($"matrix {matrix.Rows}x{matrix.Cols} does not match spaces {input.Count}x{output.Count}");
        Input = input;
        Output = output;
        Matrix = matrix;
    }

    public VectorSpace Input { get; }
    public VectorSpace Output { get; }
    public SparseMatrix Matrix { get; }

    /// <summary>Row i = action(input.basis[i]), given as (output direction, coefficient) pairs.</summary>
    public static Linear FromAction(VectorSpace input, VectorSpace output,
        Func<BasisDirection, IEnumerable<(BasisDirection Dir, double Value)>> action)
    {
        var m = new SparseMatrix(input.Count, output.Count);
        for (int i = 0; i < input.Count; i++)
        {
            foreach (var (dir, v) in action(input[i]))
            {
                int j = output.IndexOf(dir);
                if (j < 0) throw new InvalidOperationException($"action output {dir} is not in the output space");
                m.Add(i, j, v);
            }
        }
        return new Linear(input, output, m);
    }

    /// <summary>
    /// tracr's <c>Linear.combine_in_parallel</c>: input and output are the joins, and rows of functions that
    /// share an input direction are summed.
    /// </summary>
    public static Linear CombineInParallel(IReadOnlyList<Linear> fns)
    {
        var ins = new VectorSpace[fns.Count];
        var outs = new VectorSpace[fns.Count];
        for (int i = 0; i < fns.Count; i++)
        {
            ins[i] = fns[i].Input;
            outs[i] = fns[i].Output;
        }
        var rowMaps = new int[fns.Count][];
        var colMaps = new int[fns.Count][];
        var input = VectorSpace.JoinMapped(ins, rowMaps);
        var output = VectorSpace.JoinMapped(outs, colMaps);
        // When no output direction is shared, every cell comes from one function, which writes it once: nothing
        // to sum, so entries are appended without looking for an existing one.
        int outParts = 0, nnz = 0;
        foreach (var f in fns)
        {
            outParts += f.Output.Count;
            nnz += f.Matrix.StoredCount;
        }
        bool disjointColumns = outParts == output.Count;
        var m = new SparseMatrix(input.Count, output.Count, nnz);
        for (int f = 0; f < fns.Count; f++)
        {
            var src = fns[f].Matrix;
            var rowMap = rowMaps[f];
            var colMap = colMaps[f];
            for (int r = 0; r < src.Rows; r++)
            {
                int target = rowMap[r];
                for (int k = src.First(r); k >= 0; k = src.NextSlot(k))
                {
                    double v = src.ValueAt(k);
                    if (v == 0) continue;
                    if (disjointColumns) m.AppendNew(target, colMap[src.ColumnAt(k)], v);
                    else m.Add(target, colMap[src.ColumnAt(k)], v);
                }
            }
        }
        return new Linear(input, output, m);
    }
}

/// <summary>tracr's <c>ScalarBilinear</c>: x_left · M · x_right, M of shape [|left| × |right|].</summary>
public sealed class ScalarBilinear(VectorSpace left, VectorSpace right, SparseMatrix matrix)
{
    public VectorSpace Left { get; } = left;
    public VectorSpace Right { get; } = right;
    public SparseMatrix Matrix { get; } = matrix;
}
