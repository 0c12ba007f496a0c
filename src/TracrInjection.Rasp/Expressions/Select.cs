using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>A predicate over (key, query) value pairs; returns a Python value whose truthiness selects.</summary>
public delegate Value SelectPredicate(Value key, Value query);

/// <summary><c>out[q][k] = predicate(keys[k], queries[q])</c>.</summary>
public sealed class Select : Selector
{
    public SOp Keys { get; }
    public SOp Queries { get; }
    public SelectPredicate Predicate { get; }
    /// <summary>Set when the predicate is a built-in comparison (what .rasp text and traces print).</summary>
    public Comparison? Comparison { get; }
    public string Description { get; }

    public Select(SOp keys, SOp queries, Comparison comparison)
        : this(keys, queries, (k, q) => Value.Bool(comparison.Evaluate(k, q)), $"key {comparison.Symbol()} query")
    {
        Comparison = comparison;
    }

    public Select(SOp keys, SOp queries, SelectPredicate predicate, string? description = null)
    {
        Keys = keys ?? throw new ArgumentNullException(nameof(keys));
        Queries = queries ?? throw new ArgumentNullException(nameof(queries));
        Predicate = predicate ?? throw new ArgumentNullException(nameof(predicate));
        Description = description ?? "predicate(key, query)";
    }

    protected override string DefaultName => "select";
    public override IReadOnlyList<RaspExpr> Children => [Keys, Queries];
}
