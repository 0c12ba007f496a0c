using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli;

/// <summary>
/// JSON on stdout, one compact document per command: Python values as JSON (ints as ints, floats in Python's repr with a
/// decimal point or exponent, bools as true/false, None as null, tuples as lists).
/// </summary>
public static class JsonOut
{
    public static void Write(CliContext ctx, Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            body(w);
        ctx.Out.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    public static void Value(Utf8JsonWriter w, Value v) => ValueJson.Write(w, v, ValueJson.TupleStyle.Array);

    public static void Values(Utf8JsonWriter w, IEnumerable<Value> values) => ValueJson.WriteArray(w, values, ValueJson.TupleStyle.Array);

    public static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }
}

/// <summary>Text helpers for tables (no markup parsing of user strings).</summary>
public static class TextOut
{
    public static IRenderable Cell(string s) => new Text(s);

    public static Table Table(params string[] columns)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (var c in columns) t.AddColumn(new TableColumn(new Text(c)));
        return t;
    }

    public static void Row(Table t, params string[] cells) => t.AddRow(cells.Select(Cell).ToArray());

    /// <summary>Display form of a decoded value: Python str(), floats shortened to 6 significant digits.</summary>
    public static string Show(Value v) => v.Kind == ValueKind.Float
        ? v.AsDouble.ToString("G6", System.Globalization.CultureInfo.InvariantCulture).Replace("E", "e")
        : v.ToString();

    /// <summary>First few items and a count, for long vocabularies.</summary>
    public static string Abbreviate(IReadOnlyList<Value> values, int max = 8) =>
        values.Count <= max
            ? "{" + string.Join(", ", values.Select(v => v.Repr())) + "}"
            : "{" + string.Join(", ", values.Take(max).Select(v => v.Repr())) + $", … ({values.Count} tokens)}}";
}
