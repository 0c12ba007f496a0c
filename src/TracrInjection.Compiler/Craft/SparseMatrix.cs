namespace TracrInjection.Compiler.Craft;

/// <summary>
/// A float64 matrix stored by its non-zero entries, row by row. tracr builds dense numpy arrays, but the
/// paper's programs have MLPs with tens of thousands of hidden units and a handful of non-zeros per unit;
/// dense construction is what makes tracr take minutes on them.
/// </summary>
public sealed class SparseMatrix
{
    private readonly Dictionary<int, double>?[] _rows;

    public SparseMatrix(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
        _rows = new Dictionary<int, double>?[rows];
    }

    public int Rows { get; }
    public int Cols { get; }
    public int NonZeroCount => _rows.Sum(r => r?.Count ?? 0);

    public double this[int r, int c]
    {
        get
        {
            Check(r, c);
            return _rows[r] is { } row && row.TryGetValue(c, out var v) ? v : 0.0;
        }
        set
        {
            Check(r, c);
            if (value == 0) _rows[r]?.Remove(c);
            else (_rows[r] ??= new Dictionary<int, double>())[c] = value;
        }
    }

    /// <summary>Adds into an entry (tracr's parallel combination sums rows of different blocks).</summary>
    public void Add(int r, int c, double v)
    {
        Check(r, c);
        var row = _rows[r] ??= new Dictionary<int, double>();
        double sum = (row.TryGetValue(c, out var old) ? old : 0.0) + v;
        if (sum == 0) row.Remove(c);
        else row[c] = sum;
    }

    /// <summary>Non-zero entries, row by row (columns in insertion order within a row).</summary>
    public IEnumerable<(int Row, int Col, double Value)> Entries
    {
        get
        {
            for (int r = 0; r < _rows.Length; r++)
            {
                if (_rows[r] is not { } row) continue;
                foreach (var (c, v) in row) yield return (r, c, v);
            }
        }
    }

    public double[,] ToDense()
    {
        var d = new double[Rows, Cols];
        foreach (var (r, c, v) in Entries) d[r, c] = v;
        return d;
    }

    private void Check(int r, int c)
    {
        if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
            throw new IndexOutOfRangeException($"({r}, {c}) outside a {Rows}x{Cols} matrix");
    }
}
