using System.Globalization;
using System.Text;
using System.Text.Json;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Compilation;

/// <summary>
/// Token sequences from <c>--input</c>/<c>--inputs FILE</c> (always whitespace-separated tokens, whatever the first
/// character, so a Dyck word such as <c>[ ( ] )</c> is four tokens) or from <c>--input-json</c>/<c>--inputs-jsonl FILE</c>
/// (a JSON array of tokens, for tokens that are or contain spaces, such as the paper's sum vocabulary's <c>' '</c>).
/// </summary>
public static class Inputs
{
    /// <summary>Whitespace-separated tokens (runs of spaces or tabs count as one separator).</summary>
    public static Value[] Split(string line) =>
        line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(Value.Str).ToArray();

    /// <summary>A JSON array of tokens (strings; numbers and booleans as their Python display strings).</summary>
    /// <param name="where">the input's location for messages (<c>--input-json</c>, <c>FILE:LINE</c>).</param>
    public static Value[] ParseJson(string text, string where)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliException($"{where}: not a JSON array of tokens: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new CliException($"{where}: expected a JSON array of tokens such as [\"a\", \" \", \"b\"], got a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            return doc.RootElement.EnumerateArray().Select((e, i) => e.ValueKind switch
            {
                JsonValueKind.String => Value.Str(e.GetString()!),
                JsonValueKind.Number => Value.Str(e.GetRawText()),
                JsonValueKind.True => Value.Str("True"),
                JsonValueKind.False => Value.Str("False"),
                _ => throw new CliException($"{where}: token {i} ({e.GetRawText()}) must be a JSON string or number"),
            }).ToArray();
        }
    }

    /// <summary>One sequence per non-blank line of <paramref name="path"/> (whitespace-separated tokens); line numbers kept for messages.</summary>
    public static List<(int Line, Value[] Tokens)> ReadFile(string path) => Read(path, json: false);

    /// <summary>One JSON array of tokens per non-blank line of <paramref name="path"/>; errors name <c>FILE:LINE</c>.</summary>
    public static List<(int Line, Value[] Tokens)> ReadJsonLines(string path) => Read(path, json: true);

    static List<(int Line, Value[] Tokens)> Read(string path, bool json)
    {
        string[] lines;
        try
        {
            if (Directory.Exists(path)) throw new CliException($"inputs file '{path}' is a folder, not a file");
            var bytes = File.ReadAllBytes(path);
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new CliException($"inputs file '{path}' is not UTF-8 text");
            }
            if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
            lines = text.Split('\n');
        }
        catch (FileNotFoundException)
        {
            throw new CliException($"inputs file '{path}' does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CliException($"inputs file '{path}' does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read inputs file '{path}': {e.Message}");
        }
        var result = new List<(int, Value[])>();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            result.Add((i + 1, json ? ParseJson(line, $"{path}:{i + 1}") : Split(line)));
        }
        if (result.Count == 0) throw new CliException($"inputs file '{path}' holds no sequences");
        return result;
    }

    /// <summary>Encodes with the model's vocabulary; errors name the input (line) and the token.</summary>
    public static int[] Encode(CompiledModel model, Value[] tokens, string? where)
    {
        if (tokens.Length == 0) throw new CliException(where is null ? "the input holds no tokens" : $"{where}: the input holds no tokens");
        try
        {
            return model.Encode(tokens);
        }
        catch (ArgumentException e)
        {
            throw new CliException(where is null ? e.Message : $"{where}: {e.Message}");
        }
    }

    public static string Show(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";
}
