using TracrInjection.Rasp.Expressions;

namespace TracrInjection.Compiler.Validation;

/// <summary>One unsupported expression and why (tracr's <c>TracrUnsupportedExpr</c>).</summary>
public sealed record UnsupportedExpr(RaspExpr Expr, string Reason)
{
    public override string ToString() => $"{Expr.Name}: {Reason}";
}

/// <summary>tracr's <c>validating.static_validate</c> (spec §10.1).</summary>
public static class StaticValidator
{
    /// <param name="visitEveryExpression">
    /// tracr de-duplicates its walk by expression <em>name</em>, so a second unnamed Aggregate is never checked
    /// (bug B8); true walks every distinct expression object instead.
    /// </param>
    public static List<UnsupportedExpr> Validate(RaspExpr program, bool visitEveryExpression = false)
    {
        var found = new List<UnsupportedExpr>();
        var visitedNames = visitEveryExpression ? null : new HashSet<string>(StringComparer.Ordinal) { program.Name };
        var visitedObjects = visitEveryExpression ? new HashSet<RaspExpr>(ReferenceEqualityComparer.Instance) { program } : null;
        var queue = new Queue<RaspExpr>();
        queue.Enqueue(program);
        while (queue.Count > 0)
        {
            var expr = queue.Dequeue();
            var reason = Check(expr);
            if (reason is not null) found.Add(new UnsupportedExpr(expr, reason));
            foreach (var child in expr.Children)
            {
                bool fresh = visitEveryExpression ? visitedObjects!.Add(child) : visitedNames!.Add(child.Name);
                if (fresh) queue.Enqueue(child);
            }
        }
        return found;
    }

    private static string? Check(RaspExpr expr)
    {
        switch (expr)
        {
            case TokensType t when t.IsNumerical: return "tokens should always be categorical.";
            case IndicesType i when i.IsNumerical: return "tokens should always be categorical.";
            case Select s when !s.Keys.IsCategorical: return "Select keys must be categorical.";
            case Select s when !s.Queries.IsCategorical: return "Select queries must be categorical.";
            case Aggregate a when a.Encoding != a.Sop.Encoding:
                return $"An aggregate's output encoding must match its input encoding. Input: {a.Encoding.PythonName()}   Output: {a.Sop.Encoding.PythonName()}  ";
            case Aggregate a when a.IsCategorical && !a.Default.IsNone: return "Categorical aggregate only supports None as default value.";
            case Aggregate a when a.IsNumerical && !(a.Default.IsNumber && a.Default.AsDouble == 0): return "Numerical aggregate only supports 0 as default value.";
            case LinearSequenceMap l when !(l.Fst.IsNumerical && l.Snd.IsNumerical && l.IsNumerical):
                return "LinearSequenceMap only supports numerical inputs/outputs.";
            case SequenceMap s when s is not LinearSequenceMap && !(s.Fst.IsCategorical && s.Snd.IsCategorical && s.IsCategorical):
                return "(Non-linear) SequenceMap only supports categorical inputs/outputs.";
            default: return null;
        }
    }
}
