namespace TracrInjection.Rasp.Values;

/// <summary>
/// Python's binary and comparison operators on plain values, by their RASP-text spelling (<c>"+"</c>, <c>"&lt;="</c>).
/// The interpreter applies them to constants and, inside the Maps it builds from operator sugar, to each element;
/// keeping them beside <see cref="Py"/> keeps every Python semantics that can leak into a compiled model in one folder.
/// </summary>
public static class PyOperators
{
    public static Value Binary(string op, Value a, Value b) => op switch
    {
        "+" => Py.Add(a, b),
        "-" => Py.Sub(a, b),
        "*" => Py.Mul(a, b),
        "/" => Py.Div(a, b),
        "//" => Py.FloorDiv(a, b),
        "%" => Py.Mod(a, b),
        "**" => Py.Pow(a, b),
        "&" => BitOp(a, b, "&"),
        "|" => BitOp(a, b, "|"),
        _ => throw new InvalidOperationException(op),
    };

    private static Value BitOp(Value a, Value b, string op)
    {
        if (!(a.IsIntegral && b.IsIntegral)) throw new PyTypeError($"unsupported operand type(s) for {op}: '{a.TypeName}' and '{b.TypeName}'");
        long r = op == "&" ? a.AsLong & b.AsLong : a.AsLong | b.AsLong;
        return a.Kind == ValueKind.Bool && b.Kind == ValueKind.Bool ? Value.Bool(r != 0) : Value.Int(r);
    }

    public static Value Compare(string op, Value a, Value b) => op switch
    {
        "==" => Py.Eq(a, b),
        "!=" => Py.Ne(a, b),
        "<" => Py.Lt(a, b),
        "<=" => Py.Le(a, b),
        ">" => Py.Gt(a, b),
        _ => Py.Ge(a, b),
    };
}
