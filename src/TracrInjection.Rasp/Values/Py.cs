namespace TracrInjection.Rasp.Values;

/// <summary>
/// Python's operators on <see cref="Value"/>s, with the semantics RASP programs rely on: true division,
/// int arithmetic staying int, bools acting as 0/1, <c>and</c>/<c>or</c> returning an operand, and
/// TypeError on comparing numbers with strings.
/// </summary>
public static class Py
{
    public static Value Add(Value a, Value b)
    {
        if (a.IsIntegral && b.IsIntegral) return Value.Int(Checked(() => checked(a.AsLong + b.AsLong)));
        if (a.IsNumber && b.IsNumber) return Value.Float(a.AsDouble + b.AsDouble);
        if (a.IsString && b.IsString) return Value.Str(a.AsString + b.AsString);
        if (a.IsTuple && b.IsTuple) return Value.Tuple([.. a.Items, .. b.Items]);
        throw Unsupported("+", a, b);
    }

    public static Value Sub(Value a, Value b)
    {
        if (a.IsIntegral && b.IsIntegral) return Value.Int(Checked(() => checked(a.AsLong - b.AsLong)));
        if (a.IsNumber && b.IsNumber) return Value.Float(a.AsDouble - b.AsDouble);
        throw Unsupported("-", a, b);
    }

    public static Value Mul(Value a, Value b)
    {
        if (a.IsIntegral && b.IsIntegral) return Value.Int(Checked(() => checked(a.AsLong * b.AsLong)));
        if (a.IsNumber && b.IsNumber) return Value.Float(a.AsDouble * b.AsDouble);
        if (a.IsString && b.IsIntegral) return Value.Str(Repeat(a.AsString, b.AsLong));
        if (a.IsIntegral && b.IsString) return Value.Str(Repeat(b.AsString, a.AsLong));
        throw Unsupported("*", a, b);
    }

    /// <summary>Python 3 true division: always a float.</summary>
    public static Value Div(Value a, Value b)
    {
        if (!(a.IsNumber && b.IsNumber)) throw Unsupported("/", a, b);
        if (b.AsDouble == 0) throw new PyArithmeticError("division by zero");
        if (a.IsIntegral && b.IsIntegral) return Value.Float(IntTrueDiv(a.AsLong, b.AsLong));
        return Value.Float(a.AsDouble / b.AsDouble);
    }

    public static Value FloorDiv(Value a, Value b)
    {
        if (!(a.IsNumber && b.IsNumber)) throw Unsupported("//", a, b);
        if (b.AsDouble == 0) throw new PyArithmeticError("integer division or modulo by zero");
        if (a.IsIntegral && b.IsIntegral)
        {
            long x = a.AsLong, y = b.AsLong;
            long q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
            return Value.Int(q);
        }
        double r = Mod(a.AsDouble, b.AsDouble);
        return Value.Float(Math.Round((a.AsDouble - r) / b.AsDouble));
    }

    public static Value Mod(Value a, Value b)
    {
        if (!(a.IsNumber && b.IsNumber)) throw Unsupported("%", a, b);
        if (b.AsDouble == 0) throw new PyArithmeticError("integer division or modulo by zero");
        if (a.IsIntegral && b.IsIntegral)
        {
            long x = a.AsLong, y = b.AsLong;
            long r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Value.Int(r);
        }
        return Value.Float(Mod(a.AsDouble, b.AsDouble));
    }

    public static Value Pow(Value a, Value b)
    {
        if (!(a.IsNumber && b.IsNumber)) throw Unsupported("**", a, b);
        if (a.IsIntegral && b.IsIntegral && b.AsLong >= 0)
        {
            long result = 1, x = a.AsLong;
            for (long i = 0; i < b.AsLong; i++) result = Checked(() => checked(result * x));
            return Value.Int(result);
        }
        if (a.AsDouble == 0 && b.AsDouble < 0) throw new PyArithmeticError("0.0 cannot be raised to a negative power");
        return Value.Float(Math.Pow(a.AsDouble, b.AsDouble));
    }

    public static Value Neg(Value a)
    {
        if (a.IsIntegral) return Value.Int(-a.AsLong);
        if (a.Kind == ValueKind.Float) return Value.Float(-a.AsDouble);
        throw new PyTypeError($"bad operand type for unary -: '{a.TypeName}'");
    }

    public static Value Abs(Value a)
    {
        if (a.IsIntegral) return Value.Int(Math.Abs(a.AsLong));
        if (a.Kind == ValueKind.Float) return Value.Float(Math.Abs(a.AsDouble));
        throw new PyTypeError($"bad operand type for abs(): '{a.TypeName}'");
    }

    public static Value Not(Value a) => Value.Bool(!a.IsTruthy);
    /// <summary>Python <c>a and b</c>: returns an operand, not a coerced bool.</summary>
    public static Value And(Value a, Value b) => a.IsTruthy ? b : a;
    /// <summary>Python <c>a or b</c>.</summary>
    public static Value Or(Value a, Value b) => a.IsTruthy ? a : b;

    public static Value Eq(Value a, Value b) => Value.Bool(a.Equals(b));
    public static Value Ne(Value a, Value b) => Value.Bool(!a.Equals(b));
    public static Value Lt(Value a, Value b) => Value.Bool(LessThan(a, b));
    public static Value Le(Value a, Value b) => Value.Bool(LessThan(a, b) || a.Equals(b) && Comparable(a, b));
    public static Value Gt(Value a, Value b) => Value.Bool(LessThan(b, a));
    public static Value Ge(Value a, Value b) => Value.Bool(LessThan(b, a) || a.Equals(b) && Comparable(a, b));

    /// <summary>Python <c>a &lt; b</c>; throws <see cref="PyTypeError"/> where Python would.</summary>
    public static bool LessThan(Value a, Value b)
    {
        if (TryLessThan(a, b, out bool r)) return r;
        throw new PyTypeError($"'<' not supported between instances of '{a.TypeName}' and '{b.TypeName}'");
    }

    private static bool Comparable(Value a, Value b)
    {
        if (TryLessThan(a, b, out _)) return true;
        throw new PyTypeError($"'<=' not supported between instances of '{a.TypeName}' and '{b.TypeName}'");
    }

    /// <summary>Python <c>a &lt; b</c> without throwing: false return means Python would raise TypeError.</summary>
    public static bool TryLessThan(Value a, Value b, out bool result)
    {
        result = false;
        if (a.IsNumber && b.IsNumber)
        {
            result = a.IsIntegral && b.IsIntegral ? a.AsLong < b.AsLong : a.AsDouble < b.AsDouble;
            return true;
        }
        if (a.IsString && b.IsString)
        {
            result = string.CompareOrdinal(a.AsString, b.AsString) < 0;
            return true;
        }
        if (a.IsTuple && b.IsTuple)
        {
            var x = a.Items; var y = b.Items;
            int n = Math.Min(x.Count, y.Count);
            for (int i = 0; i < n; i++)
            {
                if (x[i].Equals(y[i])) continue;
                return TryLessThan(x[i], y[i], out result);
            }
            result = x.Count < y.Count;
            return true;
        }
        return false;
    }

    /// <summary>Python <c>int(x)</c>.</summary>
    public static Value ToInt(Value a)
    {
        if (a.IsIntegral) return Value.Int(a.AsLong);
        if (a.Kind == ValueKind.Float)
        {
            if (double.IsNaN(a.AsDouble) || double.IsInfinity(a.AsDouble)) throw new PyArithmeticError("cannot convert float to integer");
            return Value.Int((long)Math.Truncate(a.AsDouble));
        }
        if (a.IsString && long.TryParse(a.AsString.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l))
            return Value.Int(l);
        throw new PyValueError($"invalid literal for int(): {a.Repr()}");
    }

    /// <summary>Python <c>float(x)</c>.</summary>
    public static Value ToFloat(Value a)
    {
        if (a.IsNumber) return Value.Float(a.AsDouble);
        if (a.IsString && double.TryParse(a.AsString.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d))
            return Value.Float(d);
        throw new PyValueError($"could not convert to float: {a.Repr()}");
    }

    /// <summary>Python's built-in <c>round(x)</c>: half to even, returning an int.</summary>
    public static Value Round(Value a)
    {
        if (a.IsIntegral) return Value.Int(a.AsLong);
        return Value.Int((long)Math.Round(a.AsDouble, MidpointRounding.ToEven));
    }

    public static Value Max(Value a, Value b) => LessThan(a, b) ? b : a;
    public static Value Min(Value a, Value b) => LessThan(b, a) ? b : a;

    /// <summary>Python's <c>str.isdigit()</c> for the ASCII digits RASP programs use.</summary>
    public static bool IsDigit(Value a) => a.IsString && a.AsString.Length > 0 && a.AsString.All(char.IsAsciiDigit);

    private static double Mod(double x, double y)
    {
        double r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
    }

    /// <summary>Correctly rounded int/int division, as Python computes it for ints beyond 2^53 too.</summary>
    private static double IntTrueDiv(long x, long y) =>
        Math.Abs(x) < (1L << 53) && Math.Abs(y) < (1L << 53) ? (double)x / y : (double)((decimal)x / y);

    private static long Checked(Func<long> f)
    {
        try { return f(); }
        catch (OverflowException) { throw new PyArithmeticError("integer overflow (Python ints are unbounded; this port uses 64-bit ints)"); }
    }

    private static string Repeat(string s, long n) => n <= 0 ? "" : string.Concat(Enumerable.Repeat(s, (int)n));

    private static PyTypeError Unsupported(string op, Value a, Value b) =>
        new($"unsupported operand type(s) for {op}: '{a.TypeName}' and '{b.TypeName}'");
}
