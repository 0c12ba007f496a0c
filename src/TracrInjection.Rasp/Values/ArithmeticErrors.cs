namespace TracrInjection.Rasp.Values;

/// <summary>
/// tracr's <c>utils.errors.ignoring_arithmetic_errors</c>. Both basis inference and the chamber's numerical MLP
/// skip inputs on which a Map's function divides by zero; keeping the helper beside the Python errors lets the
/// chamber use it without depending on the graph stages (tracr's chamber depends only on craft).
/// </summary>
public static class ArithmeticErrors
{
    /// <summary>f(), or null when it raises an ArithmeticError.</summary>
    public static Value? Ignoring(Func<Value> f)
    {
        try { return f(); }
        catch (PyArithmeticError) { return null; }
    }

    /// <summary>f(x), or null when it raises an ArithmeticError (no closure on the hot path).</summary>
    public static Value? Ignoring(Func<Value, Value> f, Value x)
    {
        try { return f(x); }
        catch (PyArithmeticError) { return null; }
    }
}
