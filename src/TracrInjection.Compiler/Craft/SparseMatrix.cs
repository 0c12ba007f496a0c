namespace TracrInjection.Compiler.Craft;

/// <summary>
/// A float64 matrix stored by its non-zero entries, row by row. tracr builds dense numpy arrays, but the
/// paper's programs have MLPs with tens of thousands of hidden units and a handful of non-zeros per unit;
/// dense construction is what makes tracr take minutes on them.
/// </summary>
/// <remarks>
/// Entries live in one set of growable arrays, each row's entries linked in insertion order, so a matrix with
/// tens of thousands of one-entry rows costs no per-row allocation. A cell that becomes zero keeps its slot with
/// value 0 (skipped by <see cref="Entries"/>), so re-adding to it sums from 0 exactly as a fresh entry would.
/// Appending a column greater than every column already in the row needs no search (construction usually
/// proceeds in column order); otherwise short rows are walked and long ones get a column index.
/// </remarks>
public sealed class SparseMatrix
{
    private const int ScanLimit = 16;
    private readonly int[] _head, _tail, _rowCount, _maxCol;
    private int[] _col, _next;
    private double[] _val;
    private int _n;
    private Dictionary<int, int>?[]? _slot;

    public SparseMatrix(int rows, int cols, int capacity = 4)
    {
        Rows = rows;
        Cols = cols;
        _head = new int[rows];
        _tail = new int[rows];
        _rowCount = new int[rows];
        _maxCol = new int[rows];
        capacity = Math.Max(capacity, 1);
        _col = new int[capacity];
        _next = new int[capacity];
        _val = new double[capacity];
    }

    public int Rows { get; }
    public int Cols { get; }

    public int NonZeroCount
    {
        get
        {
            int n = 0;
            for (int k = 0; k < _n; k++) if (_val[k] != 0) n++;
            return n;
        }
    }

    public double this[int r, int c]
    {
        get
        {
            Check(r, c);
            int s = Find(r, c);
            return s < 0 ? 0.0 : _val[s];
        }
        set
        {
            Check(r, c);
            int s = Find(r, c);
            if (s >= 0) _val[s] = value;
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
            double sum = _val[s] + v;
            _val[s] = sum == 0 ? 0.0 : sum;
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
                for (int k = First(r); k >= 0; k = _next[k])
                {
                    double v = _val[k];
                    if (v != 0) yield return (r, _col[k], v);
                }
            }
        }
    }

    /// <summary>Slot of row r's first stored entry, or −1; walk on with <see cref="NextSlot"/>. Values may be 0.</summary>
    internal int First(int r) => _rowCount[r] == 0 ? -1 : _head[r];
    internal int NextSlot(int k) => _next[k];
    internal int ColumnAt(int k) => _col[k];
    internal double ValueAt(int k) => _val[k];

    public double[,] ToDense()
    {
        var d = new double[Rows, Cols];
        foreach (var (r, c, v) in Entries) d[r, c] = v;
        return d;
    }

    /// <summary>Number of stored slots (non-zeros plus cancelled entries).</summary>
    internal int StoredCount => _n;

    /// <summary>Appends an entry the caller knows is not stored yet (no search).</summary>
    internal void AppendNew(int r, int c, double v)
    {
        Check(r, c);
        Append(r, c, v);
    }

    private int Find(int r, int c)
    {
        int n = _rowCount[r];
        if (n == 0 || c > _maxCol[r]) return -1;
        if (n <= ScanLimit)
        {
            for (int k = _head[r]; k >= 0; k = _next[k]) if (_col[k] == c) return k;
            return -1;
        }
        var slots = (_slot ??= new Dictionary<int, int>?[Rows])[r];
        if (slots is null)
        {
            slots = new Dictionary<int, int>(n);
            for (int k = _head[r]; k >= 0; k = _next[k]) slots[_col[k]] = k;
            _slot[r] = slots;
        }
        return slots.TryGetValue(c, out int s) ? s : -1;
    }

    private void Append(int r, int c, double v)
    {
        int k = _n;
        if (k == _col.Length)
        {
            int cap = k * 2;
            Array.Resize(ref _col, cap);
            Array.Resize(ref _next, cap);
            Array.Resize(ref _val, cap);
        }
        _col[k] = c;
        _val[k] = v;
        _next[k] = -1;
        _n = k + 1;
        if (_rowCount[r] == 0)
        {
            _head[r] = k;
            _maxCol[r] = c;
        }
        else
        {
            _next[_tail[r]] = k;
            if (c > _maxCol[r]) _maxCol[r] = c;
        }
        _tail[r] = k;
        _rowCount[r]++;
        if (_slot?[r] is { } slots) slots[c] = k;
    }

    private void Check(int r, int c)
    {
        if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
            throw new IndexOutOfRangeException($"({r}, {c}) outside a {Rows}x{Cols} matrix");
    }
}
