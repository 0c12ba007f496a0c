namespace TracrInjection.Rasp.Expressions;

/// <summary>The input tokens. Its label is always <c>tokens</c> (annotated copies too) and reading it draws no id.</summary>
public sealed class TokensType : SOp
{
    internal TokensType() { }
    protected override string DefaultName => "tokens";
    public override string Label => "tokens";
    public override IReadOnlyList<RaspExpr> Children => [];
}

/// <summary>The positions 0..n-1.</summary>
public sealed class IndicesType : SOp
{
    internal IndicesType() { }
    protected override string DefaultName => "indices";
    public override string Label => "indices";
    public override IReadOnlyList<RaspExpr> Children => [];
}

/// <summary>The input length at every position. tracr cannot compile it (use <c>make_length</c>).</summary>
public sealed class LengthType : SOp
{
    internal LengthType() { }
    protected override string DefaultName => "length";
    public override string Label => "length";
    public override IReadOnlyList<RaspExpr> Children => [];
}
