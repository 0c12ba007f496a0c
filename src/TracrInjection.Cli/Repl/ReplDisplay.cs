using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Repl;

/// <summary>How the REPL shows values: SOps as one row per position under the example's tokens, selectors as a 0/1
/// matrix with the example's tokens as row (query) and column (key) headers.</summary>
public static class ReplDisplay
{
    /// <summary>A value in a table cell: strings bare (quoted when empty or holding spaces), floats to 6 digits.</summary>
    public static string Cell(Value v) => v.Kind switch
    {
        ValueKind.None => "None",
        ValueKind.Float => TextOut.Show(v),
        ValueKind.Str => v.AsString.Length == 0 || v.AsString.Any(char.IsWhiteSpace) ? v.Repr() : v.AsString,
        _ => v.ToString(),
    };

    /// <summary>Rows of cells, columns right-aligned to their widest cell, each line starting with <paramref name="indent"/>.</summary>
    public static void Table(TextWriter w, string indent, IReadOnlyList<IReadOnlyList<string>> rows, bool firstColumnLeft = true)
    {
        int cols = rows.Max(r => r.Count);
        var widths = new int[cols];
        foreach (var r in rows)
            for (int c = 0; c < r.Count; c++) widths[c] = Math.Max(widths[c], r[c].Length);
        foreach (var r in rows)
        {
            var parts = new List<string>();
            for (int c = 0; c < r.Count; c++)
                parts.Add(c == 0 && firstColumnLeft ? r[c].PadRight(widths[c]) : r[c].PadLeft(widths[c]));
            w.WriteLine((indent + string.Join("  ", parts)).TrimEnd());
        }
    }

    public static string Describe(SOp sop, string variable)
    {
        string enc = sop.IsNumerical ? "numerical" : "categorical";
        string named = sop.ExplicitName is { } n && n != variable ? $", named \"{n}\"" : "";
        return $"{sop.GetType().Name.Replace("Type", "")}{named}, {enc}";
    }

    public static void ShowSOp(TextWriter w, string name, SOp sop, IReadOnlyList<Value> example, Func<Value[]> evaluate)
    {
        w.WriteLine($"   s-op: {name}  ({Describe(sop, name)})");
        if (example.Count == 0) return;
        Value[] values;
        try
        {
            values = evaluate();
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError or RaspProgramException)
        {
            w.WriteLine($"      cannot evaluate it on the example: {ErrorText(e)}");
            return;
        }
        Table(w, "      ", [
            example.Select(Cell).Prepend("example").ToList(),
            values.Select(Cell).Prepend("value").ToList(),
        ]);
    }

    public static void ShowSelector(TextWriter w, string name, Selector sel, IReadOnlyList<Value> example, Func<bool[,]> evaluate)
    {
        string named = sel.ExplicitName is { } n && n != name ? $", named \"{n}\"" : "";
        w.WriteLine($"   selector: {name}  ({sel.GetType().Name}{named}; row = query, column = key)");
        if (example.Count == 0) return;
        bool[,] m;
        try
        {
            m = evaluate();
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError or RaspProgramException)
        {
            w.WriteLine($"      cannot evaluate it on the example: {ErrorText(e)}");
            return;
        }
        var rows = new List<IReadOnlyList<string>> { example.Select(Cell).Prepend("").ToList() };
        for (int q = 0; q < example.Count; q++)
        {
            var row = new List<string> { Cell(example[q]) };
            for (int k = 0; k < example.Count; k++) row.Add(m[q, k] ? "1" : "0");
            rows.Add(row);
        }
        Table(w, "      ", rows);
    }

    public static string ErrorText(Exception e) => e switch
    {
        PyTypeError => "TypeError: " + e.Message,
        PyValueError => "ValueError: " + e.Message,
        PyArithmeticError => "ArithmeticError: " + e.Message,
        _ => e.Message,
    };

    public static string ShowExample(IReadOnlyList<Value> example) =>
        example.All(v => v.IsString && v.AsString.Length == 1) ? Value.Str(string.Concat(example.Select(v => v.AsString))).Repr()
            : "[" + string.Join(", ", example.Select(v => v.Repr())) + "]";

    public static string ShowObject(object o) => o switch
    {
        Value v => v.Repr(),
        Callable f => f.Describe(),
        _ => Runtime.Repr(o),
    };
}
