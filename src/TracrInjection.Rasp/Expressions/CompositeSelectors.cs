namespace TracrInjection.Rasp.Expressions;

/// <summary>A fixed selector matrix [query][key].</summary>
public sealed class ConstantSelector(bool[,] value, bool checkLength = true) : Selector
{
    public bool[,] Value { get; } = (bool[,])value.Clone();
    public bool CheckLength { get; } = checkLength;
    protected override string DefaultName => "constant_selector";
    public override IReadOnlyList<RaspExpr> Children => [];
}

/// <summary>Element-wise AND of two selectors that could not be merged into one Select.</summary>
public sealed class SelectorAnd(Selector fst, Selector snd) : Selector
{
    public Selector Fst { get; } = fst;
    public Selector Snd { get; } = snd;
    protected override string DefaultName => "selector_and";
    public override IReadOnlyList<RaspExpr> Children => [Fst, Snd];
}

/// <summary>Element-wise OR of two selectors that could not be merged into one Select.</summary>
public sealed class SelectorOr(Selector fst, Selector snd) : Selector
{
    public Selector Fst { get; } = fst;
    public Selector Snd { get; } = snd;
    protected override string DefaultName => "selector_or";
    public override IReadOnlyList<RaspExpr> Children => [Fst, Snd];
}

/// <summary>Element-wise NOT of a selector that is not a plain Select.</summary>
public sealed class SelectorNot(Selector inner) : Selector
{
    public Selector Inner { get; } = inner;
    protected override string DefaultName => "selector_not";
    public override IReadOnlyList<RaspExpr> Children => [Inner];
}
