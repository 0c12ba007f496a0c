using System.Globalization;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Compilation;

/// <summary>Token sequences from <c>--input</c> or <c>--inputs FILE</c>.</summary>
public static class Inputs
{
    /// <summary>
    /// Space-separated tokens (runs of spaces count as one separator), or a JSON array of tokens when the text starts
    /// with <c>[</c>, which is how a token that is itself a space (the paper's sum vocabulary has <c>' '</c>) is given.
    /// </summary>
    public static Value[] Split(string line)
    {
        var trimmed = line.TrimStart();
        if (!trimmed.StartsWith('[')) return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Value.Str).ToArray();
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(trimmed);
            return doc.RootElement.EnumerateArray().Select(e => e.ValueKind switch
            {
                System.Text.Json.JsonValueKind.String => Value.Str(e.GetString()!),
                System.Text.Json.JsonValueKind.Number => Value.Str(e.GetRawText()),
                System.Text.Json.JsonValueKind.True => Value.Str("True"),
                System.Text.Json.JsonValueKind.False => Value.Str("False"),
                _ => throw new CliException($"input token {e.GetRawText()} must be a JSON string or number"),
            }).ToArray();
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"input starts with '[' but is not a JSON array of tokens: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            throw new CliException("input starts with '[' but is not a JSON array of tokens");
        }
    }

    /// <summary>One sequence per non-blank line of <paramref name="path"/>; the line numbers are kept for messages.</summary>
    public static List<(int Line, Value[] Tokens)> ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
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
            if (!string.IsNullOrWhiteSpace(lines[i])) result.Add((i + 1, Split(lines[i])));
        if (result.Count == 0) throw new CliException($"inputs file '{path}' holds no sequences");
        return result;
    }

    /// <summary>Encodes with the model's vocabulary; errors name the input (line) and the token.</summary>
    public static int[] Encode(CompiledModel model, Value[] tokens, string? where)
    {
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
