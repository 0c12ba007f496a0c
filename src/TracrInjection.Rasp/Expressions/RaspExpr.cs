namespace TracrInjection.Rasp.Expressions;

/// <summary>
/// A RASP expression (tracr's <c>RASPExpr</c>). Expressions are immutable; annotating one (a name, an
/// encoding) makes a shallow copy, exactly as tracr does, so <c>x</c> and <c>x.Named("y")</c> are different
/// graph nodes.
/// </summary>
public abstract class RaspExpr
{
    private readonly IdScope _scope;
    private IdBox _id;

    protected RaspExpr()
    {
        _scope = IdScope.Current;
        _id = new IdBox();
    }

    /// <summary>User-given name, or null when the class default applies.</summary>
    public string? ExplicitName { get; private set; }

    /// <summary>Encoding annotation, or null when the default (categorical) applies.</summary>
    public Encoding? ExplicitEncoding { get; private set; }

    public string Name => ExplicitName ?? DefaultName;

    /// <summary>tracr's per-class default name: <c>map</c>, <c>sequence_map</c>, <c>aggregate</c>, ...</summary>
    protected abstract string DefaultName { get; }

    public abstract IReadOnlyList<RaspExpr> Children { get; }

    /// <summary>Lazily drawn from the scope's counter on first access, as tracr's <c>unique_id</c>.</summary>
    public int UniqueId
    {
        get
        {
            _id.Value ??= _scope.Next();
            return _id.Value.Value;
        }
    }

    /// <summary><c>{name}_{unique_id}</c>; the primitives override this with their bare names.</summary>
    public virtual string Label => $"{Name}_{UniqueId}";

    /// <summary>Shallow copy carrying the same fields; the id is shared if it was already drawn (tracr's copy semantics).</summary>
    internal RaspExpr CopyWith(string? name, Encoding? encoding)
    {
        var copy = (RaspExpr)MemberwiseClone();
        copy._id = _id.Value is null ? new IdBox() : new IdBox { Value = _id.Value };
        copy.ExplicitName = name ?? ExplicitName;
        copy.ExplicitEncoding = encoding ?? ExplicitEncoding;
        return copy;
    }

    public override string ToString() => Label;

    private sealed class IdBox
    {
        public int? Value;
    }
}
