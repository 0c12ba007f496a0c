using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>
/// Element-wise function of one SOp. With <c>simplify</c> (tracr's default) a Map of a Map is fused into one
/// Map of the inner Map's input; the inner Map and its annotations disappear, as in tracr.
/// </summary>
public sealed class Map : SOp
{
    public Func<Value, Value> F { get; }
    public SOp Inner { get; }
    /// <summary>Human-readable form of <see cref="F"/> (e.g. <c>x + 1</c>), used in traces and errors.</summary>
    public string Description { get; }

    public Map(Func<Value, Value> f, SOp inner, bool simplify = true, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inner);
        description ??= "f(x)";
        if (simplify && inner is Map innerMap)
        {
            var g = innerMap.F;
            F = x => f(g(x));
            Inner = innerMap.Inner;
            Description = Compose(description, innerMap.Description);
        }
        else
        {
            F = f;
            Inner = inner;
            Description = description;
        }
    }

    private static string Compose(string outer, string inner) =>
        outer.Contains('x') ? outer.Replace("x", "(" + inner + ")") : $"{outer} ∘ {inner}";

    protected override string DefaultName => "map";
    public override IReadOnlyList<RaspExpr> Children => [Inner];
}
