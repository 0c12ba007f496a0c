namespace TracrInjection.Compiler.Craft;

/// <summary>
/// A float64 matrix stored by its non-zero entries. tracr builds dense numpy arrays, but the paper's programs
/// have MLPs with tens of thousands of hidden units and a handful of non-zeros per unit; dense construction is
/// what makes tracr take minutes on them.
/// </summary>
public sealed class SparseMatrix
{
    private readonly Dictionary<long, double> _entries = new();

    public SparseMatrix(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
    }

    public int Rows { get; }
    public int Cols { get; }
    public int NonZeroCount => _entries.Count(e => e.Value != 0);

    public double this[int r, int c]
    {
        get => _entries.TryGetValue(Key(r, c), out var v) ? v : 0.0;
        set
        {
            Check(r, c);
            if (value == 0) _entries.Remove(Key(r, c));
            else _entries[Key(r, c)] = value;
        }
    }

    /// <summary>Adds into an entry (tracr's parallel combination sums rows of different blocks).</summary>
    public void Add(int r, int c, double v)
    {
        Check(r, c);
        long k = Key(r, c);
        double sum = (_entries.TryGetValue(k, out var old) ? old : 0.0) + v;
        if (sum == 0) _entries.Remove(k);
        else _entries[k] = sum;
    }

    /// <summary>Non-zero entries in row-major order.</summary>
    public IEnumerable<(int Row, int Col, double Value)> Entries =>
        _entries.Where(e => e.Value != 0).OrderBy(e => e.Key).Select(e => ((int)(e.Key / Cols), (int)(e.Key % Cols), e.Value));

    public double[,] ToDense()
    {
        var d = new double[Rows, Cols];
        foreach (var (k, v) in _entries) d[k / Cols, k % Cols] = v;
        return d;
    }

    private long Key(int r, int c) => (long)r * Cols + c;

    private void Check(int r, int c)
    {
        if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
            throw new IndexOutOfRangeException($"({r}, {c}) outside a {Rows}x{Cols} matrix");
    }
}
