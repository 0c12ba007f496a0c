namespace TracrInjection.Injection.Tasks;

/// <summary>
/// A named list of examples. Items may be produced on demand (<see cref="TaskSplit(string, int, Func{int, TaskExample})"/>),
/// so a million-item training pool costs nothing until a batch reads it.
/// </summary>
public sealed class TaskSplit : IReadOnlyList<TaskExample>
{
    private readonly Func<int, TaskExample> _item;

    public string Name { get; }
    public int Count { get; }

    public TaskSplit(string name, int count, Func<int, TaskExample> item)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Name = name;
        Count = count;
        _item = item ?? throw new ArgumentNullException(nameof(item));
    }

    public TaskSplit(string name, IReadOnlyList<TaskExample> items) : this(name, items.Count, i => items[i]) { }

    public TaskExample this[int index] =>
        (uint)index < (uint)Count ? _item(index) : throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside split '{Name}' of {Count} items");

    /// <summary>The first <paramref name="n"/> items (all when n is null or larger).</summary>
    public TaskSplit Take(int? n) => n is null || n >= Count ? this : new TaskSplit(Name, n.Value, _item);

    public IEnumerator<TaskExample> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return _item(i);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
