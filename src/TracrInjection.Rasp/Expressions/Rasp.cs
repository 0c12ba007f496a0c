using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>tracr's module-level RASP API: the primitives, annotations and the simplifying selector combinators.</summary>
public static class Rasp
{
    public static readonly TokensType Tokens = new();
    public static readonly IndicesType Indices = new();
    public static readonly LengthType Length = new();

    public static T Numerical<T>(T sop) where T : SOp => (T)sop.WithEncoding(Encoding.Numerical);
    public static T Categorical<T>(T sop) where T : SOp => (T)sop.WithEncoding(Encoding.Categorical);

    public static Map Map(Func<Value, Value> f, SOp inner, string? description = null, bool simplify = true) =>
        new(f, inner, simplify, description);

    public static SequenceMap SequenceMap(Func<Value, Value, Value> f, SOp fst, SOp snd, string? description = null) =>
        new(f, fst, snd, description);

    public static Select Select(SOp keys, SOp queries, Comparison comparison) => new(keys, queries, comparison);

    public static Aggregate Aggregate(Selector selector, SOp sop, Value? @default = null) => new(selector, sop, @default);

    public static SelectorWidth SelectorWidth(Selector selector) => new(selector);

    /// <summary>tracr's <c>selector_not</c>: a Select is negated in its predicate, anything else wrapped.</summary>
    public static Selector SelectorNot(Selector sel)
    {
        if (sel is Select s)
        {
            var p = s.Predicate;
            return new Select(s.Keys, s.Queries, (k, q) => Value.Bool(!p(k, q).IsTruthy), $"not ({s.Description})");
        }
        return new SelectorNot(sel);
    }

    public static Selector SelectorAnd(Selector a, Selector b) => Combine(a, b, isAnd: true);
    public static Selector SelectorOr(Selector a, Selector b) => Combine(a, b, isAnd: false);

    /// <summary>
    /// tracr's merge of two Selects into one when they share keys and queries (by object identity) or one side is
    /// a <see cref="Full"/>; the steps and their order (later ones overwrite) follow tracr exactly.
    /// </summary>
    private static Selector Combine(Selector a, Selector b, bool isAnd)
    {
        if (a is Select sa && b is Select sb)
        {
            SOp? keys = null, queries = null;
            SelectPredicate pa = sa.Predicate, pb = sb.Predicate;
            if (sa.Keys is Full fa)
            {
                keys = sb.Keys;
                var inner = pa; var fill = fa.Fill;
                pa = (k, q) => inner(fill, q);
            }
            if (sb.Keys is Full fb)
            {
                keys = sa.Keys;
                var inner = pb; var fill = fb.Fill;
                pb = (k, q) => inner(fill, q);
            }
            if (sa.Queries is Full qa)
            {
                queries = sb.Queries;
                var inner = pa; var fill = qa.Fill;
                pa = (k, q) => inner(k, fill);
            }
            if (sb.Queries is Full qb)
            {
                queries = sa.Queries;
                var inner = pb; var fill = qb.Fill;
                pb = (k, q) => inner(k, fill);
            }
            if (ReferenceEquals(sa.Keys, sb.Keys)) keys = sa.Keys;
            if (ReferenceEquals(sa.Queries, sb.Queries)) queries = sa.Queries;
            if (keys is not null && queries is not null)
            {
                var fa2 = pa; var fb2 = pb;
                return isAnd
                    ? new Select(keys, queries, (k, q) => Py.And(fa2(k, q), fb2(k, q)), $"({sa.Description}) and ({sb.Description})")
                    : new Select(keys, queries, (k, q) => Py.Or(fa2(k, q), fb2(k, q)), $"({sa.Description}) or ({sb.Description})");
            }
        }
        return isAnd ? new SelectorAnd(a, b) : new SelectorOr(a, b);
    }
}
