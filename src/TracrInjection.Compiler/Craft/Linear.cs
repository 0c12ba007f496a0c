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
        var input = VectorSpace.Join(fns.Select(f => f.Input).ToArray());
        var output = VectorSpace.Join(fns.Select(f => f.Output).ToArray());
        var m = new SparseMatrix(input.Count, output.Count);
        foreach (var f in fns)
        {
            var rowMap = f.Input.Basis.Select(input.IndexOf).ToArray();
            var colMap = f.Output.Basis.Select(output.IndexOf).ToArray();
            foreach (var (r, c, v) in f.Matrix.Entries) m.Add(rowMap[r], colMap[c], v);
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
