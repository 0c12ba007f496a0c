using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>tracr's built-in Select predicates, called as predicate(key, query).</summary>
public enum Comparison { EQ, LT, LEQ, GT, GEQ, NEQ, TRUE, FALSE }

public static class ComparisonExtensions
{
    /// <summary>tracr's semantics: a None key or query raises before the comparison (even for TRUE).</summary>
    public static bool Evaluate(this Comparison c, Value key, Value query)
    {
        if (key.IsNone) throw new PyValueError("key is None!");
        if (query.IsNone) throw new PyValueError("query is None!");
        return c switch
        {
            Comparison.EQ => key.Equals(query),
            Comparison.LT => Py.LessThan(key, query),
            Comparison.LEQ => Py.Le(key, query).AsBool,
            Comparison.GT => Py.LessThan(query, key),
            Comparison.GEQ => Py.Ge(key, query).AsBool,
            Comparison.NEQ => !key.Equals(query),
            Comparison.TRUE => true,
            _ => false,
        };
    }

    /// <summary>The enum value string tracr uses ("==", "&lt;", "True", ...).</summary>
    public static string Symbol(this Comparison c) => c switch
    {
        Comparison.EQ => "==",
        Comparison.LT => "<",
        Comparison.LEQ => "<=",
        Comparison.GT => ">",
        Comparison.GEQ => ">=",
        Comparison.NEQ => "!=",
        Comparison.TRUE => "True",
        _ => "False",
    };
}
