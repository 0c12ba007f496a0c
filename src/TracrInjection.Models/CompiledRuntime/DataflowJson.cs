using System.Text.Json;
using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// config.json's optional <c>dataflow</c> and <c>warnings</c> fields (the run-time averaging check, issue 14). Model
/// folders written before they existed load with neither: the check then only looks at the output itself.
/// </summary>
public static class DataflowJson
{
    public static void Write(Utf8JsonWriter w, IReadOnlyList<DataflowNode> dataflow, IReadOnlyList<string> warningsToWrite)
    {
        w.WriteStartArray("dataflow");
        foreach (var n in dataflow)
        {
            w.WriteStartObject();
            w.WriteString("label", n.Label);
            w.WriteBoolean("categorical_aggregate", n.CategoricalAggregate);
            if (n.IntMeanObservable) w.WriteBoolean("int_mean_observable", true);
            w.WriteStartArray("same");
            foreach (var s in n.Same) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteStartArray("across");
            foreach (var s in n.Across) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var s in warningsToWrite) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    /// <summary>Reads both fields (empty when absent); a malformed entry throws <see cref="FormatException"/>.</summary>
    public static (List<DataflowNode> Dataflow, List<string> Warnings) Read(JsonElement root)
    {
        var nodes = new List<DataflowNode>();
        var warnings = new List<string>();
        if (root.TryGetProperty("dataflow", out var df))
        {
            if (df.ValueKind != JsonValueKind.Array) throw new FormatException("dataflow must be a list");
            foreach (var e in df.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("label", out var l) || l.ValueKind != JsonValueKind.String)
                    throw new FormatException("every dataflow entry needs a string label");
                bool cat = e.TryGetProperty("categorical_aggregate", out var c) && c.ValueKind == JsonValueKind.True;
                bool intMean = e.TryGetProperty("int_mean_observable", out var im) && im.ValueKind == JsonValueKind.True;
                nodes.Add(new DataflowNode(l.GetString()!, cat, Strings(e, "same"), Strings(e, "across")) { IntMeanObservable = intMean });
            }
        }
        if (root.TryGetProperty("warnings", out var ws))
        {
            if (ws.ValueKind != JsonValueKind.Array) throw new FormatException("warnings must be a list");
            foreach (var s in ws.EnumerateArray())
                warnings.Add(s.ValueKind == JsonValueKind.String ? s.GetString()! : throw new FormatException("warnings must be strings"));
        }
        return (nodes, warnings);
    }

    private static List<string> Strings(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var a)) return [];
        if (a.ValueKind != JsonValueKind.Array) throw new FormatException($"dataflow '{name}' must be a list");
        return a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new FormatException($"dataflow '{name}' must hold strings")).ToList();
    }
}
