using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>Position-wise function of two SOps.</summary>
public class SequenceMap : SOp
{
    public Func<Value, Value, Value> F { get; }
    public SOp Fst { get; }
    public SOp Snd { get; }
    public string Description { get; }

    public SequenceMap(Func<Value, Value, Value> f, SOp fst, SOp snd, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(fst);
        ArgumentNullException.ThrowIfNull(snd);
        F = f;
        Fst = fst;
        Snd = snd;
        Description = description ?? "f(x, y)";
    }

    protected override string DefaultName => "sequence_map";
    public override IReadOnlyList<RaspExpr> Children => [Fst, Snd];
}

/// <summary><c>fst_fac·x + snd_fac·y</c> of two numerical SOps, compiled to an exact 4-unit MLP.</summary>
public sealed class LinearSequenceMap : SequenceMap
{
    public Value FstFac { get; }
    public Value SndFac { get; }

    public LinearSequenceMap(SOp fst, SOp snd, Value fstFac, Value sndFac)
        : base((x, y) => Py.Add(Py.Mul(fstFac, x), Py.Mul(sndFac, y)), fst, snd, $"{fstFac.Repr()} * x + {sndFac.Repr()} * y")
    {
        FstFac = fstFac;
        SndFac = sndFac;
    }

    protected override string DefaultName => "linear_sequence_map";
}
