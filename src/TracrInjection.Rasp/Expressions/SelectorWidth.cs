namespace TracrInjection.Rasp.Expressions;

/// <summary>For each query position, the number of selected keys.</summary>
public sealed class SelectorWidth(Selector selector) : SOp
{
    public Selector Selector { get; } = selector ?? throw new ArgumentNullException(nameof(selector));
    protected override string DefaultName => "selector_width";
    public override IReadOnlyList<RaspExpr> Children => [Selector];
}
