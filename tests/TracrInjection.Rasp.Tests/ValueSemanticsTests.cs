using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

/// <summary>The Python value model (spec §0): equality, hashing, display strings, arithmetic, ordering.</summary>
public class ValueSemanticsTests
{
    [Fact]
    public void Numbers_of_different_types_are_equal_and_hash_alike()
    {
        Value i = 1, f = 1.0, b = true;
        Assert.True(i.Equals(f) && f.Equals(b) && i.Equals(b));
        Assert.Equal(i.GetHashCode(), f.GetHashCode());
        Assert.Equal(i.GetHashCode(), b.GetHashCode());
        Value zi = 0, zf = 0.0, zb = false;
        Assert.True(zi.Equals(zf) && zf.Equals(zb));
        Assert.Equal(zi.GetHashCode(), zf.GetHashCode());
        Assert.Equal(zi.GetHashCode(), zb.GetHashCode());
        Assert.Equal(Value.Float(-0.0).GetHashCode(), Value.Int(0).GetHashCode());
        Assert.Equal(Value.Float(1e15).GetHashCode(), Value.Int(1_000_000_000_000_000).GetHashCode());
        Assert.False(Value.Float(1.5).Equals(Value.Int(1)));
    }

    [Fact]
    public void Sets_keep_the_first_representative()
    {
        var set = new HashSet<Value> { 1, true, 1.0, 2.0, 2 };
        Assert.Equal(2, set.Count);
        Assert.Contains(set, v => v.Kind == ValueKind.Int && v.AsLong == 1);
        Assert.Contains(set, v => v.Kind == ValueKind.Float && v.AsDouble == 2.0);
        Assert.True(set.TryGetValue(Value.True, out var kept) && kept.Kind == ValueKind.Int);
    }

    [Fact]
    public void Strings_never_equal_numbers_and_none_equals_only_none()
    {
        Assert.False(Value.Str("1").Equals(Value.Int(1)));
        Assert.False(Value.None.Equals(Value.Int(0)));
        Assert.False(Value.None.Equals(Value.False));
        Assert.True(Value.None.Equals(Value.None));
        Assert.False(Value.Str("").Equals(Value.None));
    }

    [Fact]
    public void Tuples_compare_and_hash_elementwise()
    {
        var a = Value.Tuple(1, "a", 2.0);
        var b = Value.Tuple(1.0, "a", 2);
        Assert.True(a.Equals(b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(Value.Tuple(1, "a")));
        Assert.False(Value.Tuple(1).Equals(Value.Int(1)));
    }

    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(-0.19999999999999996, "-0.19999999999999996")]
    [InlineData(1.0 / 3.0, "0.3333333333333333")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456789012345.0, "123456789012345.0")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(-1.0, "-1.0")]
    [InlineData(2.5e-07, "2.5e-07")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(7.695578875936037e-17, "7.695578875936037e-17")]
    [InlineData(0.4000000059604645, "0.4000000059604645")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NaN, "nan")]
    public void Float_repr_matches_python(double v, string expected)
    {
        Assert.Equal(expected, Value.Float(v).ToString());
        Assert.Equal(expected, Value.Float(v).Repr());
    }

    [Fact]
    public void Display_strings_match_python_str_and_repr()
    {
        Assert.Equal("(1, 'a')", Value.Tuple(1, "a").ToString());
        Assert.Equal("(1,)", Value.Tuple(1).ToString());
        Assert.Equal("()", Value.Tuple().ToString());
        Assert.Equal("(1, 1, 0)", Value.Tuple(1, 1, 0).ToString());
        Assert.Equal("('tokens', 1, 'indices', 0)", Value.Tuple("tokens", 1, "indices", 0).ToString());
        Assert.Equal("((1, 2), 3.0, None, True)", Value.Tuple(Value.Tuple(1, 2), 3.0, Value.None, true).ToString());
        Assert.Equal("a", Value.Str("a").ToString());
        Assert.Equal("'a'", Value.Str("a").Repr());
        Assert.Equal("\"it's\"", Value.Str("it's").Repr());
        Assert.Equal("True", Value.True.ToString());
        Assert.Equal("False", Value.False.ToString());
        Assert.Equal("None", Value.None.ToString());
        Assert.Equal("-3", Value.Int(-3).ToString());
    }

    [Fact]
    public void True_division_is_always_float()
    {
        var r = Py.Div(4, 2);
        Assert.Equal(ValueKind.Float, r.Kind);
        Assert.Equal("2.0", r.ToString());
        Assert.Equal("0.3333333333333333", Py.Div(1, 3).ToString());
        Assert.Equal("1.0", Py.Div(true, 1).ToString());
        Assert.Equal("-0.125", Py.Div(-1, 8).ToString());
        Assert.Throws<PyArithmeticError>(() => Py.Div(1, 0));
        Assert.Throws<PyArithmeticError>(() => Py.Div(1.0, 0.0));
        Assert.Throws<PyArithmeticError>(() => Py.Div(1, false));
    }

    [Theory]
    [InlineData(7, 2, 3, 1)]
    [InlineData(-7, 2, -4, 1)]
    [InlineData(7, -2, -4, -1)]
    [InlineData(-7, -2, 3, -1)]
    [InlineData(6, 3, 2, 0)]
    [InlineData(-6, 3, -2, 0)]
    [InlineData(0, 5, 0, 0)]
    [InlineData(13, 10, 1, 3)]
    public void Floor_division_and_modulo_follow_python_signs(long a, long b, long q, long r)
    {
        var fq = Py.FloorDiv(a, b);
        var fr = Py.Mod(a, b);
        Assert.Equal(ValueKind.Int, fq.Kind);
        Assert.Equal(ValueKind.Int, fr.Kind);
        Assert.Equal(q, fq.AsLong);
        Assert.Equal(r, fr.AsLong);
    }

    [Fact]
    public void Float_floor_division_and_modulo()
    {
        Assert.Equal("-4.0", Py.FloorDiv(-7.0, 2).ToString());
        Assert.Equal("1.0", Py.Mod(-7.0, 2).ToString());
        Assert.Equal("-1.0", Py.Mod(7.0, -2).ToString());
        Assert.Equal("3.0", Py.FloorDiv(7.5, 2).ToString());
        Assert.Throws<PyArithmeticError>(() => Py.Mod(1, 0));
        Assert.Throws<PyArithmeticError>(() => Py.FloorDiv(1, 0));
    }

    [Fact]
    public void Int_arithmetic_stays_int_and_bools_act_as_ints()
    {
        Assert.Equal(ValueKind.Int, Py.Add(1, 2).Kind);
        Assert.Equal(ValueKind.Int, Py.Sub(true, false).Kind);
        Assert.Equal(1, Py.Sub(true, false).AsLong);
        Assert.Equal(ValueKind.Int, Py.Add(true, true).Kind);
        Assert.Equal(2, Py.Add(true, true).AsLong);
        Assert.Equal(ValueKind.Float, Py.Add(1, 0.5).Kind);
        Assert.Equal(ValueKind.Int, Py.Mul(-1, 3).Kind);
        Assert.Equal("-0.19999999999999996", Py.Sub(Py.Div(2, 5), Py.Div(3, 5)).ToString());
        Assert.Equal("-0.16666666666666669", Py.Sub(Py.Div(1, 3), 0.5).ToString());
        Assert.Equal("ab", Py.Add("a", "b").ToString());
        Assert.Equal("(1, 2, 3)", Py.Add(Value.Tuple(1, 2), Value.Tuple(3)).ToString());
        Assert.Throws<PyTypeError>(() => Py.Add(1, "a"));
        Assert.Throws<PyTypeError>(() => Py.Sub("a", "b"));
        Assert.Equal(1, Py.Pow(10, 0).AsLong);
        Assert.Equal(100, Py.Pow(10, 2).AsLong);
    }

    [Fact]
    public void And_or_return_an_operand_and_not_returns_a_bool()
    {
        Assert.Equal(ValueKind.Int, Py.And(1, 0).Kind);
        Assert.Equal(0, Py.And(1, 0).AsLong);
        Assert.Equal(ValueKind.Int, Py.And(0, true).Kind);
        Assert.Equal("b", Py.And("a", "b").ToString());
        Assert.Equal("", Py.And("", "b").ToString());
        Assert.True(Py.And(Value.None, 1).IsNone);
        Assert.Equal(2, Py.Or(0, 2).AsLong);
        Assert.Equal("a", Py.Or("a", "b").ToString());
        Assert.Equal(ValueKind.Float, Py.Or(0.0, 0.0).Kind);
        Assert.Equal(Value.False, Py.Or(Value.None, false));
        Assert.Equal(ValueKind.Bool, Py.Not(0).Kind);
        Assert.True(Py.Not(0).AsBool);
        Assert.False(Py.Not("x").AsBool);
        Assert.True(Py.Not(Value.Tuple()).AsBool);
    }

    [Fact]
    public void Comparisons_of_numbers_with_strings_raise()
    {
        Assert.False(Py.TryLessThan(1, "a", out _));
        Assert.False(Py.TryLessThan("a", 1, out _));
        Assert.False(Py.TryLessThan(Value.None, 1, out _));
        Assert.False(Py.TryLessThan(Value.Tuple(1, 2), Value.Tuple("a", 2), out _));
        Assert.Throws<PyTypeError>(() => Py.Lt(1, "a"));
        Assert.Throws<PyTypeError>(() => Py.Le(1, "a"));
        Assert.Throws<PyTypeError>(() => Py.Ge("a", 1));
        // == and != never raise.
        Assert.False(Py.Eq(1, "1").AsBool);
        Assert.True(Py.Ne(1, "1").AsBool);
    }

    [Fact]
    public void Orderings_follow_python()
    {
        Assert.True(Py.TryLessThan(1, 1.5, out var r) && r);
        Assert.True(Py.TryLessThan(false, 1, out r) && r);
        Assert.True(Py.TryLessThan("B", "a", out r) && r); // ordinal
        Assert.True(Py.TryLessThan("10", "9", out r) && r);
        Assert.True(Py.TryLessThan(Value.Tuple(1, 2), Value.Tuple(1, 3), out r) && r);
        Assert.True(Py.TryLessThan(Value.Tuple(1), Value.Tuple(1, 0), out r) && r);
        Assert.True(Py.TryLessThan(Value.Tuple(1, "a"), Value.Tuple(2, 0), out r) && r); // decided before the mismatch
        Assert.True(Py.Le(2, 2.0).AsBool);
        Assert.False(Py.Lt(2, 2.0).AsBool);
        Assert.True(Py.Ge(3, 2).AsBool);
    }

    [Fact]
    public void Conversions_follow_python()
    {
        Assert.Equal(ValueKind.Int, Py.ToInt(Value.True).Kind);
        Assert.Equal(1, Py.ToInt(true).AsLong);
        Assert.Equal(0, Py.ToInt(Py.Eq(1, 2)).AsLong);
        Assert.Equal(-2, Py.ToInt(-2.7).AsLong);
        Assert.Equal(42, Py.ToInt("42").AsLong);
        Assert.Equal(2, Py.Round(2.5).AsLong);
        Assert.Equal(4, Py.Round(3.5).AsLong);
        Assert.True(Py.IsDigit("123"));
        Assert.False(Py.IsDigit(""));
        Assert.False(Py.IsDigit("+"));
    }

    [Fact]
    public void Literal_parsing_keeps_python_types()
    {
        Assert.Equal(ValueKind.Int, Value.ParseLiteral("3").Kind);
        Assert.Equal(ValueKind.Float, Value.ParseLiteral("3.0").Kind);
        Assert.Equal(ValueKind.Bool, Value.ParseLiteral("True").Kind);
        Assert.Equal(ValueKind.Str, Value.ParseLiteral("a").Kind);
        Assert.True(Value.ParseLiteral("None").IsNone);
    }
}
