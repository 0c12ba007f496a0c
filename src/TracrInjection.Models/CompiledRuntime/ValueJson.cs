using System.Globalization;
using System.Text.Json;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// Python-typed values in JSON. Ints are written without a decimal point and floats always with one (Python's
/// repr: <c>2.0</c>, <c>0.3333333432674408</c>, <c>1e-05</c>), so the type survives a round trip; bools are
/// <c>true</c>/<c>false</c>, None is <c>null</c>, strings are strings. Tuples are <c>{"tuple": [...]}</c> in the
/// exact (<see cref="TupleStyle.Tagged"/>) form and plain arrays in the display form. Non-finite floats are
/// <c>{"float": "inf"}</c> (exact) or the strings <c>"inf"</c>, <c>"-inf"</c>, <c>"nan"</c> (display).
/// </summary>
public static class ValueJson
{
    public enum TupleStyle { Tagged, Array }

    public static void Write(Utf8JsonWriter w, Value v, TupleStyle style = TupleStyle.Tagged)
    {
        switch (v.Kind)
        {
            case ValueKind.None: w.WriteNullValue(); break;
            case ValueKind.Bool: w.WriteBooleanValue(v.AsBool); break;
            case ValueKind.Int: w.WriteNumberValue(v.AsLong); break;
            case ValueKind.Float:
                double d = v.AsDouble;
                if (double.IsFinite(d))
                {
                    w.WriteRawValue(PyFloat.Repr(d));
                }
                else if (style == TupleStyle.Tagged)
                {
                    w.WriteStartObject();
                    w.WriteString("float", PyFloat.Repr(d));
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteStringValue(PyFloat.Repr(d));
                }
                break;
            case ValueKind.Str: w.WriteStringValue(v.AsString); break;
            case ValueKind.Tuple:
                if (style == TupleStyle.Tagged)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("tuple");
                }
                w.WriteStartArray();
                foreach (var item in v.Items) Write(w, item, style);
                w.WriteEndArray();
                if (style == TupleStyle.Tagged) w.WriteEndObject();
                break;
            default: throw new ArgumentOutOfRangeException(nameof(v), v.Kind, "unknown value kind");
        }
    }

    public static void WriteArray(Utf8JsonWriter w, IEnumerable<Value> values, TupleStyle style = TupleStyle.Tagged)
    {
        w.WriteStartArray();
        foreach (var v in values) Write(w, v, style);
        w.WriteEndArray();
    }

    /// <summary>Reads a value written by <see cref="Write"/> in the tagged style.</summary>
    public static Value Read(JsonElement e, string where)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null: return Value.None;
            case JsonValueKind.True: return Value.True;
            case JsonValueKind.False: return Value.False;
            case JsonValueKind.String: return Value.Str(e.GetString()!);
            case JsonValueKind.Number:
                string raw = e.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) >= 0)
                    return Value.Float(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return Value.Int(l);
                throw new InvalidDataException($"{where}: integer {raw} does not fit in 64 bits");
            case JsonValueKind.Object:
                if (e.TryGetProperty("tuple", out var items) && items.ValueKind == JsonValueKind.Array)
                    return Value.Tuple(items.EnumerateArray().Select((x, i) => Read(x, $"{where}[{i}]")).ToArray());
                if (e.TryGetProperty("float", out var f) && f.ValueKind == JsonValueKind.String)
                    return f.GetString() switch
                    {
                        "inf" => Value.Float(double.PositiveInfinity),
                        "-inf" => Value.Float(double.NegativeInfinity),
                        "nan" => Value.Float(double.NaN),
                        var s => throw new InvalidDataException($"{where}: unknown float '{s}'"),
                    };
                throw new InvalidDataException($"{where}: an object must be {{\"tuple\": [...]}} or {{\"float\": \"inf\"}}, got {e.GetRawText()}");
            default:
                throw new InvalidDataException($"{where}: cannot read a value from {e.GetRawText()}");
        }
    }
}
