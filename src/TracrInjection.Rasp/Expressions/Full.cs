using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>The same value at every position.</summary>
public sealed class Full(Value fill) : SOp
{
    public Value Fill { get; } = fill;
    protected override string DefaultName => "full";
    public override IReadOnlyList<RaspExpr> Children => [];
}

/// <summary>A fixed sequence; its length must equal the input's when <see cref="CheckLength"/>.</summary>
public sealed class ConstantSOp(IReadOnlyList<Value> values, bool checkLength = true) : SOp
{
    public IReadOnlyList<Value> Values { get; } = values.ToArray();
    public bool CheckLength { get; } = checkLength;
    protected override string DefaultName => "constant_sop";
    public override IReadOnlyList<RaspExpr> Children => [];
}
