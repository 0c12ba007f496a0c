using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>
/// For each query, the mean of the selected values of <see cref="Sop"/> (a single selected value is returned
/// unchanged; none selected gives <see cref="Default"/>).
/// </summary>
public sealed class Aggregate : SOp
{
    public Selector Selector { get; }
    public SOp Sop { get; }
    public Value Default { get; }

    public Aggregate(Selector selector, SOp sop, Value? @default = null)
    {
        Selector = selector ?? throw new ArgumentNullException(nameof(selector));
        Sop = sop ?? throw new ArgumentNullException(nameof(sop));
        Default = @default ?? Value.None;
        if (Default.IsTuple) throw new ArgumentException("Aggregate default must be None, str, float, bool or int.", nameof(@default));
    }

    protected override string DefaultName => "aggregate";
    public override IReadOnlyList<RaspExpr> Children => [Selector, Sop];
}
