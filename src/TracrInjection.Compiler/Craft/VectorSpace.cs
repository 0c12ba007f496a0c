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
    public VectorSpace(IEnumerable<BasisDirection> directions) : this(directions.ToArray(), owned: true) { }

    /// <summary>Takes ownership of <paramref name="arr"/> (it may be reordered).</summary>
    private VectorSpace(BasisDirection[] arr, bool owned)
    {
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
        // Where "<" is not a total order (mixed value types) sorting may leave neighbours that are not strictly
        // increasing; joins must then not treat this basis as a sorted run.
        _strictlyIncreasing = IsSorted(arr);
    }

    private readonly bool _strictlyIncreasing = true;

    /// <summary>A space over <paramref name="directions"/>, taking ownership of the array (no copy).</summary>
    internal static VectorSpace Own(BasisDirection[] directions) => new(directions, owned: true);

    /// <summary>A space over directions the caller guarantees sorted and distinct (no check; takes the array).</summary>
    internal static VectorSpace FromSorted(BasisDirection[] sortedDistinct)
    {
        System.Diagnostics.Debug.Assert(IsSorted(sortedDistinct));
        return new VectorSpace(sortedDistinct, (Dictionary<BasisDirection, int>?)null);
    }

    /// <summary>Whether the basis is <paramref name="directions"/> itself (it was sorted and distinct as given).</summary>
    internal bool UsesArray(BasisDirection[] directions) => ReferenceEquals(_basis, directions);

    /// <summary>A space of one direction.</summary>
    public VectorSpace(BasisDirection single)
    {
        _basis = [single];
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
    public bool IsSubspaceOf(VectorSpace other)
    {
        foreach (var d in _basis) if (!other.Contains(d)) return false;
        return true;
    }

    public static VectorSpace FromNames(params string[] names) => new(names.Select(n => new BasisDirection(n)));
    public static VectorSpace FromValues(string name, IEnumerable<Rasp.Values.Value> values) => new(values.Select(v => new BasisDirection(name, v)));

    /// <summary>Sorted union (tracr's <c>join_vector_spaces</c>).</summary>
    public static VectorSpace Join(params VectorSpace[] spaces) => JoinMapped(spaces, null);

    /// <summary>
    /// <see cref="Join"/>, also giving for every part the position of each of its directions in the union
    /// (<paramref name="maps"/>[p][i] = index of spaces[p][i]), when <paramref name="maps"/> is not null.
    /// </summary>
    public static VectorSpace JoinMapped(IReadOnlyList<VectorSpace> spaces, int[][]? maps)
    {
        if (spaces.Count == 1)
        {
            if (maps is not null) maps[0] = Identity(spaces[0].Count);
            return spaces[0];
        }
        // Concatenating the parts in the order of their first directions is already sorted whenever the parts do
        // not interleave (the usual case: one part per node label), which one pass of comparisons detects.
        var order = new int[spaces.Count];
        int nonEmpty = 0, total = 0;
        for (int p = 0; p < spaces.Count; p++)
        {
            total += spaces[p].Count;
            if (spaces[p].Count > 0) order[nonEmpty++] = p;
        }
        // Insertion sort (few parts); stable, so equal first directions keep the caller's order.
        for (int i = 1; i < nonEmpty; i++)
        {
            int x = order[i], j = i - 1;
            var first = spaces[x]._basis[0];
            while (j >= 0 && BasisDirection.LessThan(first, spaces[order[j]]._basis[0]))
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = x;
        }
        // Every part is sorted, so the concatenation is sorted iff each part's last direction precedes the next
        // part's first: the same consecutive-pairs test as IsSorted, at the boundaries only.
        bool sorted = true;
        for (int i = 0; i < nonEmpty && sorted; i++) sorted = spaces[order[i]]._strictlyIncreasing;
        for (int i = 1; i < nonEmpty && sorted; i++)
        {
            var prev = spaces[order[i - 1]]._basis;
            sorted = BasisDirection.LessThan(prev[^1], spaces[order[i]]._basis[0]);
        }
        int at = 0;
        if (sorted)
        {
            var all = new BasisDirection[total];
            for (int i = 0; i < nonEmpty; i++)
            {
                var b = spaces[order[i]]._basis;
                Array.Copy(b, 0, all, at, b.Length);
                at += b.Length;
            }
            var joined = new VectorSpace(all, (Dictionary<BasisDirection, int>?)null);
            if (maps is not null)
            {
                for (int p = 0; p < spaces.Count; p++) if (spaces[p].Count == 0) maps[p] = [];
                at = 0;
                for (int i = 0; i < nonEmpty; i++)
                {
                    int n = spaces[order[i]].Count;
                    var map = new int[n];
                    for (int k = 0; k < n; k++) map[k] = at + k;
                    maps[order[i]] = map;
                    at += n;
                }
            }
            return joined;
        }
        if (TryMerge(spaces, maps, total) is { } merged) return merged;
        // Shared or interleaved directions: the representative kept must be the first in the caller's order
        // (1 vs 1.0 vs True display differently), so rebuild in that order.
        var callerOrder = new BasisDirection[total];
        at = 0;
        for (int p = 0; p < spaces.Count; p++)
        {
            Array.Copy(spaces[p]._basis, 0, callerOrder, at, spaces[p].Count);
            at += spaces[p].Count;
        }
        var result = new VectorSpace(callerOrder, owned: true);
        if (maps is not null)
        {
            for (int p = 0; p < spaces.Count; p++)
            {
                var b = spaces[p]._basis;
                var map = new int[b.Length];
                for (int k = 0; k < b.Length; k++) map[k] = result.IndexOf(b[k]);
                maps[p] = map;
            }
        }
        return result;
    }

    /// <summary>
    /// The sorted union by merging the (sorted) parts, keeping for equal directions the one of the earliest part:
    /// the same result as de-duplicating the parts' concatenation in caller order and sorting it stably, provided
    /// the order is total on the values compared. That holds when, within each name, all values are numbers
    /// (not NaN) or all are strings; anything else (valueless and valued directions sharing a name, mixed types,
    /// tuples, NaN) returns null and the caller sorts.
    /// </summary>
    private static VectorSpace? TryMerge(IReadOnlyList<VectorSpace> spaces, int[][]? maps, int total)
    {
        int k = spaces.Count;
        if (k > 64 && maps is not null) return null;
        foreach (var s in spaces)
        {
            var b = s._basis;
            int prevClass = 0;
            for (int i = 0; i < b.Length; i++)
            {
                int cls = ClassOf(b[i]);
                if (cls < 0 || (i > 0 && cls != prevClass && SameName(b[i], b[i - 1]))) return null;
                prevClass = cls;
            }
        }
        if (maps is null && k > 4) return MergePairwise(spaces, total);
        var pos = new int[k];
        var outMaps = maps;
        if (outMaps is not null) for (int p = 0; p < k; p++) outMaps[p] = new int[spaces[p].Count];
        var result = new BasisDirection[total];
        int n = 0;
        while (true)
        {
            int best = -1;
            ulong equal = 0;
            BasisDirection? head = null;
            for (int p = 0; p < k; p++)
            {
                if (pos[p] >= spaces[p].Count) continue;
                var d = spaces[p]._basis[pos[p]];
                if (best < 0)
                {
                    best = p;
                    head = d;
                    equal = 1UL << p;
                    continue;
                }
                int names = ReferenceEquals(d.Name, head!.Name) ? 0 : string.CompareOrdinal(d.Name, head.Name);
                if (names == 0)
                {
                    if (ClassOf(d) != ClassOf(head)) return null;
                    if (BasisDirection.LessThan(d, head)) names = -1;
                    else if (BasisDirection.LessThan(head, d)) names = 1;
                    else if (!d.Equals(head)) return null;
                }
                if (names < 0)
                {
                    best = p;
                    head = d;
                    equal = 1UL << p;
                }
                else if (names == 0) equal |= 1UL << p;
            }
            if (best < 0) break;
            for (int p = 0; p < k; p++)
            {
                if ((equal & (1UL << p)) == 0) continue;
                if (outMaps is not null) outMaps[p][pos[p]] = n;
                pos[p]++;
            }
            result[n++] = head!;
        }
        if (n < total) Array.Resize(ref result, n);
        return new VectorSpace(result, (Dictionary<BasisDirection, int>?)null);
    }

    /// <summary>
    /// <see cref="TryMerge"/> for many parts and no maps: merges neighbouring parts pairwise (the earlier part's
    /// direction kept where two are equal) until one is left, O(n log k) comparisons. Parts were pre-checked.
    /// </summary>
    private static VectorSpace? MergePairwise(IReadOnlyList<VectorSpace> spaces, int total)
    {
        var runs = new List<BasisDirection[]>(spaces.Count);
        foreach (var s in spaces) if (s.Count > 0) runs.Add(s._basis);
        if (runs.Count == 0) return new VectorSpace([], (Dictionary<BasisDirection, int>?)null);
        bool single = runs.Count == 1;
        while (runs.Count > 1)
        {
            var next = new List<BasisDirection[]>((runs.Count + 1) / 2);
            for (int i = 0; i < runs.Count; i += 2)
            {
                if (i + 1 == runs.Count)
                {
                    next.Add(runs[i]);
                    continue;
                }
                if (MergeTwo(runs[i], runs[i + 1]) is not { } merged) return null;
                next.Add(merged);
            }
            runs = next;
        }
        var basis = runs[0];
        // A single part is shared with its space: copy so the new space owns its basis.
        if (single) basis = (BasisDirection[])basis.Clone();
        return new VectorSpace(basis, (Dictionary<BasisDirection, int>?)null);
    }

    private static BasisDirection[]? MergeTwo(BasisDirection[] a, BasisDirection[] b)
    {
        var result = new BasisDirection[a.Length + b.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = a[i];
            var y = b[j];
            int c = string.CompareOrdinal(x.Name, y.Name);
            if (c == 0)
            {
                if (ClassOf(x) != ClassOf(y)) return null;
                if (BasisDirection.LessThan(x, y)) c = -1;
                else if (BasisDirection.LessThan(y, x)) c = 1;
                else if (!x.Equals(y)) return null;
            }
            if (c < 0) { result[n++] = x; i++; }
            else if (c > 0) { result[n++] = y; j++; }
            else { result[n++] = x; i++; j++; }
        }
        while (i < a.Length) result[n++] = a[i++];
        while (j < b.Length) result[n++] = b[j++];
        if (n < result.Length) Array.Resize(ref result, n);
        return result;
    }

    /// <summary>
    /// Whether every direction has a value and all values are numbers (not NaN) or all are strings: then Python's
    /// "&lt;" is a total order on them, and (being sorted and distinct) they strictly increase.
    /// </summary>
    internal static bool HasTotallyOrderedValues(VectorSpace s)
    {
        if (s.Count == 0) return true;
        int cls = ClassOf(s._basis[0]);
        if (cls <= 0) return false;
        foreach (var d in s._basis) if (ClassOf(d) != cls) return false;
        return true;
    }

    private static bool SameName(BasisDirection a, BasisDirection b) => ReferenceEquals(a.Name, b.Name) || a.Name == b.Name;

    /// <summary>0: valueless, 1: number (not NaN), 2: string; −1: anything the merge does not handle.</summary>
    private static int ClassOf(BasisDirection d) => d.Value switch
    {
        null => 0,
        { Kind: Rasp.Values.ValueKind.Str } => 2,
        { Kind: Rasp.Values.ValueKind.Float } v when double.IsNaN(v.AsDouble) => -1,
        { IsNumber: true } => 1,
        _ => -1,
    };

    /// <summary>A basis known to be sorted and distinct, with its index if one was built.</summary>
    private VectorSpace(BasisDirection[] sortedDistinct, Dictionary<BasisDirection, int>? index)
    {
        _basis = sortedDistinct;
        _index = index;
    }

    private static int[] Identity(int n)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    /// <summary>tracr's <c>direct_sum</c>: like join but overlapping bases are an error.</summary>
    public static VectorSpace DirectSum(params VectorSpace[] spaces)
    {
        var all = spaces.SelectMany(s => s._basis).ToList();
        if (all.Distinct().Count() != all.Count) throw new InvalidOperationException("Overlapping bases!");
        return new VectorSpace(all);
    }

    public bool SameAs(VectorSpace other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (Count != other.Count) return false;
        for (int i = 0; i < _basis.Length; i++) if (!_basis[i].Equals(other._basis[i])) return false;
        return true;
    }

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
