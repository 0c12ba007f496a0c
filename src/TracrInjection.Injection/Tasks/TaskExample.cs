namespace TracrInjection.Injection.Tasks;

/// <summary>One item of a task: the prompt the model sees and the answer it must produce.</summary>
/// <param name="Prompt">For example <c>"213 + 391 ="</c>.</param>
/// <param name="Label">The answer without its leading space, for example <c>"604"</c>; the model must emit <c>" " + Label</c>.</param>
public sealed record TaskExample(string Prompt, string Label)
{
    /// <summary>The training text, the paper's <c>f"{prompt} {label}"</c>.</summary>
    public string Text => Prompt + " " + Label;

    /// <summary>What the model must generate after the prompt.</summary>
    public string Target => " " + Label;
}

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
