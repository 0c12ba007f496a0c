namespace TracrInjection.Compiler.Craft;

/// <summary>
/// A float64 matrix stored by its non-zero entries, row by row. tracr builds dense numpy arrays, but the
/// paper's programs have MLPs with tens of thousands of hidden units and a handful of non-zeros per unit;
/// dense construction is what makes tracr take minutes on them.
/// </summary>
/// <remarks>
/// Each row is a pair of growable arrays (columns, values) in insertion order. A cell that becomes zero keeps
/// its slot with value 0 (skipped by <see cref="Entries"/>), so re-adding to it sums from 0 exactly as a fresh
/// entry would. Appending a column greater than every column already in the row needs no search (construction
/// usually proceeds in column order); otherwise short rows are scanned and long ones get a column index.
/// </remarks>
public sealed class SparseMatrix
{
    private const int ScanLimit = 16;
    private readonly int[]?[] _cols;
    private readonly double[]?[] _vals;
    private readonly int[] _count;
    private readonly int[] _maxCol;
    private Dictionary<int, int>?[]? _slot;

    public SparseMatrix(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
        _cols = new int[]?[rows];
        _vals = new double[]?[rows];
        _count = new int[rows];
        _maxCol = new int[rows];
    }

    public int Rows { get; }
    public int Cols { get; }

    public int NonZeroCount
    {
        get
        {
            int n = 0;
            for (int r = 0; r < Rows; r++)
            {
                var vals = _vals[r];
                for (int i = 0; i < _count[r]; i++) if (vals![i] != 0) n++;
            }
            return n;
        }
    }

    public double this[int r, int c]
    {
        get
        {
            Check(r, c);
            int s = Find(r, c);
            return s < 0 ? 0.0 : _vals[r]![s];
        }
        set
        {
            Check(r, c);
            int s = Find(r, c);
            if (s >= 0) _vals[r]![s] = value;
            else if (value != 0) Append(r, c, value);
        }
    }

    /// <summary>Adds into an entry (tracr's parallel combination sums rows of different blocks).</summary>
    public void Add(int r, int c, double v)
    {
        Check(r, c);
        int s = Find(r, c);
        if (s >= 0)
        {
            double sum = _vals[r]![s] + v;
            _vals[r]![s] = sum == 0 ? 0.0 : sum;
        }
        else if (v != 0) Append(r, c, v);
    }

    /// <summary>Non-zero entries, row by row (columns in insertion order within a row).</summary>
    public IEnumerable<(int Row, int Col, double Value)> Entries
    {
        get
        {
            for (int r = 0; r < Rows; r++)
            {
                int n = _count[r];
                for (int i = 0; i < n; i++)
                {
                    double v = _vals[r]![i];
                    if (v != 0) yield return (r, _cols[r]![i], v);
                }
            }
        }
    }

    /// <summary>Row r's stored slots (values may be 0 where an entry cancelled out).</summary>
    internal ReadOnlySpan<int> RowColumns(int r) => _count[r] == 0 ? default : _cols[r].AsSpan(0, _count[r]);
    internal ReadOnlySpan<double> RowValues(int r) => _count[r] == 0 ? default : _vals[r].AsSpan(0, _count[r]);

    public double[,] ToDense()
    {
        var d = new double[Rows, Cols];
        foreach (var (r, c, v) in Entries) d[r, c] = v;
        return d;
    }

    private int Find(int r, int c)
    {
        int n = _count[r];
        if (n == 0 || c > _maxCol[r]) return -1;
        var cols = _cols[r]!;
        if (n <= ScanLimit)
        {
            for (int i = 0; i < n; i++) if (cols[i] == c) return i;
            return -1;
        }
        var slots = (_slot ??= new Dictionary<int, int>?[Rows])[r];
        if (slots is null)
        {
            slots = new Dictionary<int, int>(n);
            for (int i = 0; i < n; i++) slots[cols[i]] = i;
            _slot[r] = slots;
        }
        return slots.TryGetValue(c, out int s) ? s : -1;
    }

    private void Append(int r, int c, double v)
    {
        int n = _count[r];
        var cols = _cols[r];
        if (cols is null)
        {
            _cols[r] = cols = new int[4];
            _vals[r] = new double[4];
        }
        else if (n == cols.Length)
        {
            Array.Resize(ref _cols[r], n * 2);
            Array.Resize(ref _vals[r], n * 2);
            cols = _cols[r]!;
        }
        cols[n] = c;
        _vals[r]![n] = v;
        _count[r] = n + 1;
        if (n == 0 || c > _maxCol[r]) _maxCol[r] = c;
        if (_slot?[r] is { } slots) slots[c] = n;
    }

    private void Check(int r, int c)
    {
        if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
            throw new IndexOutOfRangeException($"({r}, {c}) outside a {Rows}x{Cols} matrix");
    }
}
