using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.TestSupport;

/// <summary>Python-equality comparisons of evaluation results against golden values.</summary>
public static class PyAssert
{
    /// <summary>
    /// Python <c>==</c> with numbers within <paramref name="tol"/>; with <paramref name="strictTypes"/> the Python
    /// types must also agree (bool vs int vs float), as the golden JSON keeps them.
    /// </summary>
    public static bool Same(Value actual, Value expected, double tol = 1e-9, bool strictTypes = true)
    {
        if (strictTypes && actual.Kind != expected.Kind) return false;
        if (actual.IsNumber && expected.IsNumber)
        {
            if (actual.IsIntegral && expected.IsIntegral) return actual.AsLong == expected.AsLong;
            double a = actual.AsDouble, b = expected.AsDouble;
            return a == b || Math.Abs(a - b) <= tol;
        }
        if (actual.IsTuple && expected.IsTuple)
            return actual.Items.Count == expected.Items.Count &&
                   actual.Items.Zip(expected.Items).All(p => Same(p.First, p.Second, tol, strictTypes));
        return actual.Equals(expected);
    }

    public static string Show(IEnumerable<Value> xs) => "[" + string.Join(", ", xs.Select(x => x.Repr())) + "]";

    public static void SequenceSame(IReadOnlyList<Value> expected, IReadOnlyList<Value> actual, string context,
        double tol = 1e-9, bool strictTypes = true)
    {
        bool ok = expected.Count == actual.Count && expected.Zip(actual).All(p => Same(p.Second, p.First, tol, strictTypes));
        Assert.True(ok, $"{context}: expected {Show(expected)}, got {Show(actual)}");
    }
}
