namespace TracrInjection.Rasp.Values;

/// <summary>
/// A Python set of values: Python equality (<c>{1, 1.0, True}</c> has one element) and the first
/// representative inserted is kept. Iteration is in insertion order; where tracr iterates a Python set
/// (hash order), this port iterates inputs in sorted order, which agrees for the small ints and floats
/// programs use (documented difference: a colliding int/float/bool may keep a different representative).
/// </summary>
public sealed class ValueSet : IEnumerable<Value>
{
    private readonly List<Value> _items;
    private readonly HashSet<Value> _set;

    public ValueSet()
    {
        _items = [];
        _set = [];
    }

    public ValueSet(IEnumerable<Value> values)
    {
        int n = values is IReadOnlyCollection<Value> c ? c.Count : 0;
        _items = new List<Value>(n);
        _set = new HashSet<Value>(n);
        foreach (var v in values) Add(v);
    }

    public int Count => _items.Count;
    public bool Add(Value v)
    {
        if (!_set.Add(v)) return false;
        _items.Add(v);
        _sorted = null;
        return true;
    }

    private Value[]? _sorted;

    public bool Contains(Value v) => _set.Contains(v);

    /// <summary>Python-sorted copy (numbers numerically, strings ordinally; mixed types by display string).</summary>
    public List<Value> Sorted()
    {
        if (_sorted is null)
        {
            var list = _items.ToArray();
            Array.Sort(list, CompareForSort);
            _sorted = list;
        }
        return new List<Value>(_sorted);
    }

    internal static int CompareForSort(Value a, Value b)
    {
        if (Py.TryLessThan(a, b, out bool lt))
        {
            if (lt) return -1;
            Py.TryLessThan(b, a, out bool gt);
            return gt ? 1 : 0;
        }
        return string.CompareOrdinal(a.ToString(), b.ToString());
    }

    public IEnumerator<Value> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
