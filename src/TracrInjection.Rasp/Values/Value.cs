using System.Globalization;
using System.Text;

namespace TracrInjection.Rasp.Values;

public enum ValueKind { None, Bool, Int, Float, Str, Tuple }

/// <summary>
/// A value as tracr's Python code sees it: None, bool, int, float, str or a tuple of these.
/// Equality and hashing follow Python (<c>1 == 1.0 == True</c> and they hash alike), because value sets,
/// residual directions and decoded outputs are all keyed by Python equality in tracr.
/// </summary>
public sealed class Value : IEquatable<Value>
{
    public static readonly Value None = new(ValueKind.None, 0, 0, null, null);
    public static readonly Value True = new(ValueKind.Bool, 1, 1, null, null);
    public static readonly Value False = new(ValueKind.Bool, 0, 0, null, null);

    private static readonly Value[] SmallInts = Enumerable.Range(-16, 300).Select(i => new Value(ValueKind.Int, i, i, null, null)).ToArray();

    public ValueKind Kind { get; }
    private readonly long _int;
    private readonly double _float;
    private readonly string? _str;
    private readonly Value[]? _items;
    private int? _tupleHash;

    private Value(ValueKind kind, long i, double f, string? s, Value[]? items)
    {
        Kind = kind; _int = i; _float = f; _str = s; _items = items;
    }

    public static Value Int(long v) => v is >= -16 and < 284 ? SmallInts[v + 16] : new(ValueKind.Int, v, v, null, null);
    public static Value Float(double v) => new(ValueKind.Float, 0, v, null, null);
    public static Value Str(string v) => new(ValueKind.Str, 0, 0, v ?? throw new ArgumentNullException(nameof(v)), null);
    public static Value Bool(bool v) => v ? True : False;
    public static Value Tuple(params Value[] items) => new(ValueKind.Tuple, 0, 0, null, (Value[])items.Clone());

    public static implicit operator Value(int v) => Int(v);
    public static implicit operator Value(long v) => Int(v);
    public static implicit operator Value(double v) => Float(v);
    public static implicit operator Value(string v) => Str(v);
    public static implicit operator Value(bool v) => Bool(v);

    public bool IsNone => Kind == ValueKind.None;
    public bool IsNumber => Kind is ValueKind.Bool or ValueKind.Int or ValueKind.Float;
    /// <summary>bool or int: the values Python does integer arithmetic on.</summary>
    public bool IsIntegral => Kind is ValueKind.Bool or ValueKind.Int;
    public bool IsString => Kind == ValueKind.Str;
    public bool IsTuple => Kind == ValueKind.Tuple;

    public long AsLong => Kind switch
    {
        ValueKind.Bool or ValueKind.Int => _int,
        _ => throw new PyTypeError($"expected an int, got {TypeName}"),
    };

    public double AsDouble => Kind switch
    {
        ValueKind.Bool or ValueKind.Int => _int,
        ValueKind.Float => _float,
        _ => throw new PyTypeError($"expected a number, got {TypeName}"),
    };

    public bool AsBool => Kind == ValueKind.Bool ? _int != 0 : throw new PyTypeError($"expected a bool, got {TypeName}");
    public string AsString => _str ?? throw new PyTypeError($"expected a str, got {TypeName}");
    public IReadOnlyList<Value> Items => _items ?? throw new PyTypeError($"expected a tuple, got {TypeName}");

    public string TypeName => Kind switch
    {
        ValueKind.None => "NoneType",
        ValueKind.Bool => "bool",
        ValueKind.Int => "int",
        ValueKind.Float => "float",
        ValueKind.Str => "str",
        _ => "tuple",
    };

    /// <summary>Python truthiness.</summary>
    public bool IsTruthy => Kind switch
    {
        ValueKind.None => false,
        ValueKind.Bool or ValueKind.Int => _int != 0,
        ValueKind.Float => _float != 0.0,
        ValueKind.Str => _str!.Length > 0,
        _ => _items!.Length > 0,
    };

    // ---- equality (Python ==) ----

    public bool Equals(Value? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (IsNumber && other.IsNumber)
        {
            if (IsIntegral && other.IsIntegral) return _int == other._int;
            return AsDouble == other.AsDouble;
        }
        if (Kind != other.Kind) return false;
        return Kind switch
        {
            ValueKind.None => true,
            ValueKind.Str => string.Equals(_str, other._str, StringComparison.Ordinal),
            ValueKind.Tuple => TupleEquals(_items!, other._items!),
            _ => false,
        };
    }

    private static bool TupleEquals(Value[] a, Value[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (!a[i].Equals(b[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Value v && Equals(v);

    public override int GetHashCode()
    {
        switch (Kind)
        {
            case ValueKind.None: return 0x5f3759df;
            case ValueKind.Bool:
            case ValueKind.Int: return _int.GetHashCode();
            case ValueKind.Float:
                // Integral floats must hash like the equal int (Python: hash(2.0) == hash(2)).
                if (Math.Floor(_float) == _float && Math.Abs(_float) < 9.2e18) return ((long)_float).GetHashCode();
                return _float.GetHashCode();
            case ValueKind.Str: return StringComparer.Ordinal.GetHashCode(_str!);
            default:
                // Tuples key the hidden units of two-input MLPs (tens of thousands in the paper's programs).
                if (_tupleHash is { } cached) return cached;
                var h = new HashCode();
                foreach (var it in _items!) h.Add(it);
                _tupleHash = h.ToHashCode();
                return _tupleHash.Value;
        }
    }

    public static bool operator ==(Value? a, Value? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Value? a, Value? b) => !(a == b);

    // ---- display ----

    /// <summary>Python <c>str(value)</c>: what tracr puts into residual labels (<c>name:value</c>).</summary>
    public override string ToString() => Kind == ValueKind.Str ? _str! : Repr();

    /// <summary>Python <c>repr(value)</c>: strings quoted, used inside tuples.</summary>
    public string Repr() => Kind switch
    {
        ValueKind.None => "None",
        ValueKind.Bool => _int != 0 ? "True" : "False",
        ValueKind.Int => _int.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float => PyFloat.Repr(_float),
        ValueKind.Str => PyStringRepr(_str!),
        _ => _items!.Length == 1 ? $"({_items[0].Repr()},)" : "(" + string.Join(", ", _items.Select(i => i.Repr())) + ")",
    };

    private static string PyStringRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c == quote) sb.Append('\\');
                    sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>Parses a token written on a command line or in a file: int, then float, then True/False/None, else a string.</summary>
    public static Value ParseLiteral(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return Int(l);
        if (text.Contains('.') || text.Contains('e') || text.Contains('E'))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return Float(d);
        }
        return text switch
        {
            "True" => True,
            "False" => False,
            "None" => None,
            _ => Str(text),
        };
    }
}
