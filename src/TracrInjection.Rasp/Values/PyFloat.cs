using System.Globalization;

namespace TracrInjection.Rasp.Values;

/// <summary>Python's float formatting, which tracr's labels expose (<c>2.0</c>, <c>1e-05</c>, <c>-0.19999999999999996</c>).</summary>
public static class PyFloat
{
    public static string Repr(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";

        // .NET's "R"/default formatting yields the shortest round-trip digits (as Python's repr does) but
        // chooses its own layout; take the digits and decimal exponent and lay them out as Python does.
        string shortest = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        (string digits, int exp) = Decompose(shortest);
        string sign = v < 0 ? "-" : "";
        // Python: scientific when the decimal exponent is < -4 or >= 16.
        if (exp < -4 || exp >= 16)
        {
            string mant = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            string es = exp < 0 ? "-" + (-exp).ToString("00", CultureInfo.InvariantCulture) : "+" + exp.ToString("00", CultureInfo.InvariantCulture);
            return sign + mant + "e" + es;
        }
        if (exp < 0) return sign + "0." + new string('0', -exp - 1) + digits;
        if (digits.Length <= exp + 1) return sign + digits + new string('0', exp + 1 - digits.Length) + ".0";
        return sign + digits[..(exp + 1)] + "." + digits[(exp + 1)..];
    }

    /// <summary>Splits a positive number's invariant string into significant digits and the exponent of the first digit.</summary>
    private static (string Digits, int Exp) Decompose(string s)
    {
        int exp10 = 0;
        int ePos = s.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            exp10 = int.Parse(s[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..ePos];
        }
        int dot = s.IndexOf('.');
        string intPart = dot >= 0 ? s[..dot] : s;
        string frac = dot >= 0 ? s[(dot + 1)..] : "";
        string all = intPart + frac;
        int firstNonZero = 0;
        while (firstNonZero < all.Length && all[firstNonZero] == '0') firstNonZero++;
        string digits = all[firstNonZero..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int exp = intPart.Length - 1 - firstNonZero + exp10;
        return (digits, exp);
    }
}
