using TracrInjection.Compiler.Craft;

namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// A float32 weight matrix in compressed sparse rows. The paper's MLPs are ~99% zeros (paper_count's first
/// layer is 481 × 43,200), so assembly keeps them sparse and a dense array is built only when asked for.
/// </summary>
public sealed class SparseWeights
{
    public SparseWeights(int rows, int cols, int[] rowStart, int[] columns, float[] values)
    {
        if (rowStart.Length != rows + 1 || columns.Length != values.Length || rowStart[rows] != values.Length)
            throw new ArgumentException("inconsistent compressed sparse rows");
        Rows = rows;
        Cols = cols;
        RowStart = rowStart;
        Columns = columns;
        Values = values;
    }

    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Row r's entries are at [RowStart[r], RowStart[r + 1]).</summary>
    public int[] RowStart { get; }
    public int[] Columns { get; }
    public float[] Values { get; }
    public int NonZeroCount => Values.Length;

    public float[,] ToDense()
    {
        var d = new float[Rows, Cols];
        for (int r = 0; r < Rows; r++)
            for (int i = RowStart[r]; i < RowStart[r + 1]; i++) d[r, Columns[i]] = Values[i];
        return d;
    }

    public static SparseWeights FromDense(float[,] m)
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        var start = new int[rows + 1];
        var c = new List<int>();
        var v = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (m[r, j] == 0) continue;
                c.Add(j);
                v.Add(m[r, j]);
            }
            start[r + 1] = v.Count;
        }
        return new SparseWeights(rows, cols, start, c.ToArray(), v.ToArray());
    }

    /// <summary>float64 construction, then float32 parameters, as tracr's <c>jnp.array</c> conversion.</summary>
    internal static SparseWeights FromCraft(SparseMatrix m, double scale)
    {
        var start = new int[m.Rows + 1];
        int n = 0;
        for (int r = 0; r < m.Rows; r++)
            for (int k = m.First(r); k >= 0; k = m.NextSlot(k))
                if ((float)(m.ValueAt(k) * scale) != 0) n++;
        var cols = new int[n];
        var vals = new float[n];
        int at = 0;
        for (int r = 0; r < m.Rows; r++)
        {
            for (int k = m.First(r); k >= 0; k = m.NextSlot(k))
            {
                float f = (float)(m.ValueAt(k) * scale);
                if (f == 0) continue;
                cols[at] = m.ColumnAt(k);
                vals[at++] = f;
            }
            start[r + 1] = at;
        }
        return new SparseWeights(m.Rows, m.Cols, start, cols, vals);
    }
}
