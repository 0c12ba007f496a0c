namespace TracrInjection.Compiler.Craft;

/// <summary>
/// tracr's <c>VectorSpaceWithBasis</c>: a basis that is always kept sorted, so every space built from the same
/// directions has the same layout. Indexing is by dictionary, not by scanning.
/// </summary>
public sealed class VectorSpace
{
    private readonly BasisDirection[] _basis;
    private Dictionary<BasisDirection, int>? _index;

    public static readonly VectorSpace Empty = new([]);

    /// <summary>Builds a space from directions in any order; duplicates are merged (first kept).</summary>
    public VectorSpace(IEnumerable<BasisDirection> directions)
    {
        var arr = directions.ToArray();
        // Most spaces are built from already-sorted, distinct parts; a strictly increasing sequence has no
        // duplicates, so one pass of comparisons replaces both de-duplication and sorting (the paper's programs
        // have hidden spaces of tens of thousands of tuple-valued directions).
        if (IsSorted(arr))
        {
            _basis = arr;
            return;
        }
        var index = new Dictionary<BasisDirection, int>(arr.Length);
        var distinct = new List<BasisDirection>(arr.Length);
        foreach (var d in arr) if (index.TryAdd(d, distinct.Count)) distinct.Add(d);
        arr = distinct.ToArray();
        MergeSort(arr);
        for (int i = 0; i < arr.Length; i++) index[arr[i]] = i;
        _basis = arr;
        _index = index;
    }

    /// <summary>Direction → position, built on first use.</summary>
    private Dictionary<BasisDirection, int> Index
    {
        get
        {
            if (_index is null)
            {
                var index = new Dictionary<BasisDirection, int>(_basis.Length);
                for (int i = 0; i < _basis.Length; i++) index[_basis[i]] = i;
                _index = index;
            }
            return _index;
        }
    }

    public IReadOnlyList<BasisDirection> Basis => _basis;
    public int Count => _basis.Length;
    public BasisDirection this[int i] => _basis[i];

    public bool Contains(BasisDirection d) => Index.ContainsKey(d);
    public int IndexOf(BasisDirection d) => Index.TryGetValue(d, out var i) ? i : -1;
    public bool IsSubspaceOf(VectorSpace other) => _basis.All(other.Contains);

    public static VectorSpace FromNames(params string[] names) => new(names.Select(n => new BasisDirection(n)));
    public static VectorSpace FromValues(string name, IEnumerable<Rasp.Values.Value> values) => new(values.Select(v => new BasisDirection(name, v)));

    /// <summary>Sorted union (tracr's <c>join_vector_spaces</c>).</summary>
    public static VectorSpace Join(params VectorSpace[] spaces)
    {
        if (spaces.Length == 1) return spaces[0];
        // Concatenating the parts in the order of their first directions is already sorted whenever the parts do
        // not interleave (the usual case: one part per node label), which the constructor detects in one pass.
        var ordered = spaces.Where(s => s.Count > 0).ToList();
        ordered.Sort((a, b) => a._basis[0].CompareTo(b._basis[0]));
        var all = new List<BasisDirection>(spaces.Sum(s => s.Count));
        foreach (var s in ordered) all.AddRange(s._basis);
        var joined = new VectorSpace(all);
        if (joined.Count == all.Count) return joined;
        // Shared directions: the representative kept must be the first in the caller's order (1 vs 1.0 vs True
        // display differently), so rebuild in that order.
        return new VectorSpace(spaces.SelectMany(s => s._basis));
    }

    /// <summary>tracr's <c>direct_sum</c>: like join but overlapping bases are an error.</summary>
    public static VectorSpace DirectSum(params VectorSpace[] spaces)
    {
        var all = spaces.SelectMany(s => s._basis).ToList();
        if (all.Distinct().Count() != all.Count) throw new InvalidOperationException("Overlapping bases!");
        return new VectorSpace(all);
    }

    public bool SameAs(VectorSpace other) => Count == other.Count && _basis.Zip(other._basis).All(p => p.First.Equals(p.Second));

    public override string ToString() => "[" + string.Join(", ", _basis.Select(b => b.ToString())) + "]";

    private static bool IsSorted(BasisDirection[] a)
    {
        for (int i = 1; i < a.Length; i++) if (!BasisDirection.LessThan(a[i - 1], a[i])) return false;
        return true;
    }

    /// <summary>Merge sort: stable and uses only the "&lt;" relation, like Python's sorted.</summary>
    private static void MergeSort(BasisDirection[] a)
    {
        if (a.Length < 2) return;
        var tmp = new BasisDirection[a.Length];
        for (int width = 1; width < a.Length; width *= 2)
        {
            for (int lo = 0; lo < a.Length; lo += 2 * width)
            {
                int mid = Math.Min(lo + width, a.Length), hi = Math.Min(lo + 2 * width, a.Length);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) tmp[k++] = BasisDirection.LessThan(a[j], a[i]) ? a[j++] : a[i++];
                while (i < mid) tmp[k++] = a[i++];
                while (j < hi) tmp[k++] = a[j++];
            }
            Array.Copy(tmp, a, a.Length);
        }
    }
}
