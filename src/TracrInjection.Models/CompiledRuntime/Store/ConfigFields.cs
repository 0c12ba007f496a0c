using System.Text.Json;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>Typed access to config.json whose errors name the file and the field (<c>layers[2].mlp.hidden_size</c>).</summary>
internal sealed class ConfigFields(string path)
{
    public CompiledModelStoreException Error(string what) => new($"'{path}': {what}");

    public JsonElement Get(JsonElement obj, string name, string? at = null) =>
        obj.TryGetProperty(name, out var e) ? e : throw Error($"field '{(at is null ? "" : at + ".")}{name}' is missing");

    public JsonElement Obj(JsonElement obj, string name)
    {
        var e = Get(obj, name);
        return e.ValueKind == JsonValueKind.Object ? e : throw Error($"field '{name}' must be an object");
    }

    public string Str(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error($"field '{what}' must be a string, got {Show(e)}");

    public int Int(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i : throw Error($"field '{what}' must be an integer, got {Show(e)}");

    public bool Bool(JsonElement e, string what) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"field '{what}' must be true or false, got {Show(e)}"),
    };

    public Value Value(JsonElement e, string what)
    {
        try { return ValueJson.Read(e, what); }
        catch (InvalidDataException ex) { throw Error(ex.Message); }
    }

    public List<Value> Values(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select((x, i) => Value(x, $"{what}[{i}]")).ToList()
            : throw Error($"field '{what}' must be a list, got {Show(e)}");

    public List<string> Strings(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select((x, i) => Str(x, $"{what}[{i}]")).ToList()
            : throw Error($"field '{what}' must be a list of strings, got {Show(e)}");

    public int[] Ints(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select((x, i) => Int(x, $"{what}[{i}]")).ToArray()
            : throw Error($"field '{what}' must be a list of integers, got {Show(e)}");

    private static string Show(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}
