using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Craft;

/// <summary>
/// One labelled direction of a vector space: <c>(name, value)</c>, value null for valueless directions such
/// as <c>one</c> or a numerical SOp. Ordering is tracr's: compare (name, value) as Python tuples and fall back
/// to comparing the display strings when Python would raise TypeError (spec §0.3).
/// </summary>
public sealed class BasisDirection : IEquatable<BasisDirection>, IComparable<BasisDirection>
{
    public string Name { get; }
    public Value? Value { get; }
    private readonly int _hash;
    private string? _display;

    public BasisDirection(string name, Value? value = null) : this(name, NameHash(name), value) { }

    /// <summary>With the name's hash precomputed (<see cref="NameHash"/>), for building many directions of one name.</summary>
    internal BasisDirection(string name, int nameHash, Value? value)
    {
        Name = name;
        Value = value is { IsNone: true } ? null : value;
        _hash = HashCode.Combine(nameHash, Value?.GetHashCode() ?? 0);
    }

    internal static int NameHash(string name) => StringComparer.Ordinal.GetHashCode(name);

    /// <summary>tracr's <c>str(direction)</c>: <c>name</c> or <c>name:value</c>; these are the residual labels.</summary>
    public override string ToString() => _display ??= Value is null ? Name : $"{Name}:{Value}";

    public bool Equals(BasisDirection? other) =>
        other is not null && _hash == other._hash && string.Equals(Name, other.Name, StringComparison.Ordinal) &&
        (Value is null ? other.Value is null : other.Value is not null && Value.Equals(other.Value));

    public override bool Equals(object? obj) => obj is BasisDirection d && Equals(d);
    public override int GetHashCode() => _hash;

    public static bool LessThan(BasisDirection a, BasisDirection b)
    {
        int names = string.CompareOrdinal(a.Name, b.Name);
        if (names != 0) return names < 0;
        if (a.Value is null && b.Value is null) return false;
        if (a.Value is not null && b.Value is not null && Py.TryLessThan(a.Value, b.Value, out bool lt)) return lt;
        return string.CompareOrdinal(a.ToString(), b.ToString()) < 0;
    }

    public int CompareTo(BasisDirection? other)
    {
        if (other is null) return 1;
        if (LessThan(this, other)) return -1;
        return LessThan(other, this) ? 1 : 0;
    }
}
