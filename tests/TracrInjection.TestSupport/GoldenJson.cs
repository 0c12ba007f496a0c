using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.TestSupport;

/// <summary>Reads golden JSON into Python-typed <see cref="Value"/>s.</summary>
public static class GoldenJson
{
    private static readonly ConcurrentDictionary<string, JsonDocument> Cache = new();

    /// <summary>The parsed <c>&lt;id&gt;.json</c> (cached; the documents are read-only).</summary>
    public static JsonElement Program(string id) =>
        Cache.GetOrAdd(id, i => JsonDocument.Parse(File.ReadAllBytes(GoldenFiles.PathOf(i + ".json")))).RootElement;

    public static JsonElement File_(string fileName) =>
        Cache.GetOrAdd(fileName, f => JsonDocument.Parse(File.ReadAllBytes(GoldenFiles.PathOf(f)))).RootElement;

    /// <summary>
    /// JSON → Python value as the golden writer produced it: <c>1</c> is an int, <c>1.0</c> a float, lists are
    /// tuples (the writer turns tuples into lists).
    /// </summary>
    public static Value ToValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => Value.None,
        JsonValueKind.True => Value.True,
        JsonValueKind.False => Value.False,
        JsonValueKind.String => Value.Str(e.GetString()!),
        JsonValueKind.Number => IsFloatLiteral(e.GetRawText())
            ? Value.Float(double.Parse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture))
            : Value.Int(long.Parse(e.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
        JsonValueKind.Array => Value.Tuple(e.EnumerateArray().Select(ToValue).ToArray()),
        _ => throw new InvalidDataException($"Unexpected JSON value {e.GetRawText()}"),
    };

    private static bool IsFloatLiteral(string raw) => raw.IndexOfAny(['.', 'e', 'E']) >= 0 || raw is "NaN" or "Infinity" or "-Infinity";

    public static Value[] ToValues(JsonElement array) => array.EnumerateArray().Select(ToValue).ToArray();
}
