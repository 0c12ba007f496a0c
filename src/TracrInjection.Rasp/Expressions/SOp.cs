using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Expressions;

/// <summary>A sequence operation: maps an input sequence to a sequence of the same length.</summary>
public abstract class SOp : RaspExpr
{
    public Encoding Encoding => ExplicitEncoding ?? Encoding.Categorical;
    public bool IsNumerical => Encoding == Encoding.Numerical;
    public bool IsCategorical => Encoding == Encoding.Categorical;

    /// <summary><c>expr.named(name)</c>: a copy with a new name (and, when the id was not yet drawn, a new id).</summary>
    public SOp Named(string name) => (SOp)CopyWith(name, null);
    public SOp WithEncoding(Encoding encoding) => (SOp)CopyWith(null, encoding);

    // tracr's operator sugar. Comparisons are methods because C#'s == must stay reference equality here.
    public Map Eq(Value k) => new(x => Py.Eq(x, k), this, description: $"x == {k.Repr()}");
    public Map Ne(Value k) => new(x => Py.Ne(x, k), this, description: $"x != {k.Repr()}");
    public Map Lt(Value k) => new(x => Py.Lt(x, k), this, description: $"x < {k.Repr()}");
    public Map Le(Value k) => new(x => Py.Le(x, k), this, description: $"x <= {k.Repr()}");
    public Map Gt(Value k) => new(x => Py.Gt(x, k), this, description: $"x > {k.Repr()}");
    public Map Ge(Value k) => new(x => Py.Ge(x, k), this, description: $"x >= {k.Repr()}");

    public static Map operator +(SOp s, Value k) => new(x => Py.Add(x, k), s, description: $"x + {k.Repr()}");
    public static Map operator -(SOp s, Value k) => new(x => Py.Sub(x, k), s, description: $"x - {k.Repr()}");
    public static Map operator *(SOp s, Value k) => new(x => Py.Mul(x, k), s, description: $"x * {k.Repr()}");
    public static Map operator /(SOp s, Value k) => new(x => Py.Div(x, k), s, description: $"x / {k.Repr()}");
    public static Map operator +(Value k, SOp s) => new(x => Py.Add(k, x), s, description: $"{k.Repr()} + x");
    public static Map operator -(Value k, SOp s) => new(x => Py.Sub(k, x), s, description: $"{k.Repr()} - x");
    public static Map operator *(Value k, SOp s) => new(x => Py.Mul(k, x), s, description: $"{k.Repr()} * x");
    public static Map operator /(Value k, SOp s) => new(x => Py.Div(k, x), s, description: $"{k.Repr()} / x");

    public static SequenceMap operator +(SOp a, SOp b) => new((x, y) => Py.Add(x, y), a, b, description: "x + y");
    public static SequenceMap operator -(SOp a, SOp b) => new((x, y) => Py.Sub(x, y), a, b, description: "x - y");
    public static SequenceMap operator *(SOp a, SOp b) => new((x, y) => Py.Mul(x, y), a, b, description: "x * y");
    public static SequenceMap operator /(SOp a, SOp b) => new((x, y) => Py.Div(x, y), a, b, description: "x / y");

    public static Map operator &(SOp s, Value k) => new(x => Py.And(x, k), s, description: $"x and {k.Repr()}");
    public static Map operator &(Value k, SOp s) => new(x => Py.And(k, x), s, description: $"{k.Repr()} and x");
    public static Map operator |(SOp s, Value k) => new(x => Py.Or(x, k), s, description: $"x or {k.Repr()}");
    // tracr's __ror__ does not swap the operands (a quirk kept for identical outputs).
    public static Map operator |(Value k, SOp s) => new(x => Py.Or(x, k), s, description: $"x or {k.Repr()}");
    public static SequenceMap operator &(SOp a, SOp b) => new((x, y) => Py.And(x, y), a, b, description: "x and y");
    public static SequenceMap operator |(SOp a, SOp b) => new((x, y) => Py.Or(x, y), a, b, description: "x or y");
    public static Map operator ~(SOp s) => new(x => Py.Not(x), s, description: "not x");
}
