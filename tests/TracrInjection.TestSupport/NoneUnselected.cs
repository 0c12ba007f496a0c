using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.TestSupport;

/// <summary>
/// Rebuilds a program so that every Select treats a None key or query as "not selected" instead of calling
/// its predicate (tracr's Comparison predicates raise <c>ValueError: key is None!</c>). This is the variant
/// the golden generator used for <c>paper_int_sum</c>'s <c>rasp_none_unselected</c> outputs. The rebuilt
/// expressions keep every function and default; Maps are rebuilt without re-simplification.
/// </summary>
public static class NoneUnselected
{
    public static SOp Rewrite(SOp program)
    {
        var memo = new Dictionary<RaspExpr, RaspExpr>(ReferenceEqualityComparer.Instance);
        return (SOp)R(program, memo);
    }

    private static RaspExpr R(RaspExpr e, Dictionary<RaspExpr, RaspExpr> memo)
    {
        if (memo.TryGetValue(e, out var done)) return done;
        RaspExpr result = e switch
        {
            TokensType or IndicesType or LengthType or Full or ConstantSOp or ConstantSelector => e,
            Map m => new Map(m.F, (SOp)R(m.Inner, memo), simplify: false, description: m.Description),
            LinearSequenceMap l => new LinearSequenceMap((SOp)R(l.Fst, memo), (SOp)R(l.Snd, memo), l.FstFac, l.SndFac),
            SequenceMap s => new SequenceMap(s.F, (SOp)R(s.Fst, memo), (SOp)R(s.Snd, memo), s.Description),
            Aggregate a => new Aggregate((Selector)R(a.Selector, memo), (SOp)R(a.Sop, memo), a.Default),
            SelectorWidth w => new SelectorWidth((Selector)R(w.Selector, memo)),
            Select s => new Select((SOp)R(s.Keys, memo), (SOp)R(s.Queries, memo),
                (k, q) => k.IsNone || q.IsNone ? Value.False : s.Predicate(k, q), s.Description),
            SelectorAnd a => new SelectorAnd((Selector)R(a.Fst, memo), (Selector)R(a.Snd, memo)),
            SelectorOr o => new SelectorOr((Selector)R(o.Fst, memo), (Selector)R(o.Snd, memo)),
            SelectorNot n => new SelectorNot((Selector)R(n.Inner, memo)),
            _ => throw new NotSupportedException(e.GetType().Name),
        };
        memo[e] = result;
        return result;
    }
}
