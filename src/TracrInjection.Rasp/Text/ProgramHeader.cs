using System.Globalization;
using System.Text.RegularExpressions;
using TracrInjection.Rasp.Naming;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

/// <summary>
/// Compile settings from a file's header: the comment lines before the first statement written as
/// <c># key: value</c>. Keys: <c>vocab</c>, <c>max_seq_len</c>, <c>causal</c>, <c>output</c>, <c>bos</c>, <c>pad</c>,
/// <c>mlp_exactness</c>. Other comments are ignored, except a key one or two letters away from a known one (a typo).
/// </summary>
public sealed partial record ProgramHeader
{
    public IReadOnlyList<Value>? Vocab { get; init; }
    public int? MaxSeqLen { get; init; }
    public bool? Causal { get; init; }
    public string? Output { get; init; }
    public SourcePos? OutputPos { get; init; }
    public string? Bos { get; init; }
    public string? Pad { get; init; }
    public double? MlpExactness { get; init; }
    /// <summary>The first ordinary comment of the header (a one-line description of the program), if any.</summary>
    public string? Description { get; init; }

    /// <summary>Whether the header sets any compile setting (output and description are not settings).</summary>
    public bool HasSettings => Vocab is not null || MaxSeqLen is not null || Causal is not null || Bos is not null || Pad is not null || MlpExactness is not null;

    /// <summary>
    /// The settings with this header's values in place of <paramref name="settings"/>' ones: the one conversion from
    /// header syntax (a file's, the REPL's <c>set</c>) to compile settings.
    /// </summary>
    public CompilerOptions ApplyTo(CompilerOptions settings) => settings with
    {
        Vocab = Vocab ?? settings.Vocab,
        MaxSeqLen = MaxSeqLen ?? settings.MaxSeqLen,
        Causal = Causal ?? settings.Causal,
        CompilerBos = Bos ?? settings.CompilerBos,
        CompilerPad = Pad ?? settings.CompilerPad,
        MlpExactness = MlpExactness ?? settings.MlpExactness,
    };

    /// <summary>This header's settings, falling back to <paramref name="older"/>'s where this one has none.</summary>
    public ProgramHeader Over(ProgramHeader older) => new()
    {
        Vocab = Vocab ?? older.Vocab,
        MaxSeqLen = MaxSeqLen ?? older.MaxSeqLen,
        Causal = Causal ?? older.Causal,
        Bos = Bos ?? older.Bos,
        Pad = Pad ?? older.Pad,
        MlpExactness = MlpExactness ?? older.MlpExactness,
    };

    public static readonly IReadOnlyList<string> Keys = ["vocab", "max_seq_len", "causal", "output", "bos", "pad", "mlp_exactness"];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["compiler_bos"] = "bos", ["compiler_pad"] = "pad", ["max_len"] = "max_seq_len", ["maxseqlen"] = "max_seq_len",
    };

    [GeneratedRegex(@"^(\s*#\s*)([A-Za-z][A-Za-z0-9_ \-]*?)\s*:")]
    private static partial Regex KeyLine();

    public static ProgramHeader Parse(SourceFile file)
    {
        var h = new ProgramHeader();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int ln = 1; ln <= file.LineCount; ln++)
        {
            string line = file.Line(ln);
            string trimmed = line.Trim();
            if (trimmed.Length == 0) continue;
            if (!trimmed.StartsWith('#')) break;
            var m = KeyLine().Match(line);
            if (!m.Success)
            {
                if (h.Description is null && trimmed.TrimStart('#').Trim() is { Length: > 0 } d) h = h with { Description = d };
                continue;
            }
            string rawKey = m.Groups[2].Value;
            string key = rawKey.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
            key = Aliases.GetValueOrDefault(key, key);
            var keyPos = new SourcePos(file, ln, m.Groups[2].Index + 1);
            if (!Keys.Contains(key))
            {
                // A typo of a setting (max_seqlen, vocabs) is an error; ordinary comments ("# Note: ...") are not.
                var near = Keys.FirstOrDefault(k => DidYouMean.Distance(k, key) is var d && d <= 2 && d * 3 < key.Length);
                if (near is not null) throw new RaspSyntaxException(keyPos, $"unknown header setting '{rawKey.Trim()}' (did you mean '{near}'?)");
                if (h.Description is null) h = h with { Description = trimmed.TrimStart('#').Trim() };
                continue;
            }
            if (seen.TryGetValue(key, out int firstLine))
                throw new RaspSyntaxException(keyPos, $"header setting '{key}' given twice (first on line {firstLine})");
            seen[key] = ln;
            int valueStart = m.Length;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t') valueStart++;
            string value = line[valueStart..].TrimEnd();
            var valuePos = new SourcePos(file, ln, valueStart + 1);
            if (value.Length == 0) throw new RaspSyntaxException(valuePos, $"header setting '{key}' has no value");
            h = key switch
            {
                "vocab" => h with { Vocab = ParseVocab(file, ln, valueStart, value) },
                "max_seq_len" => h with { MaxSeqLen = ParsePositiveInt(value, valuePos, key) },
                "causal" => h with { Causal = ParseBool(value, valuePos) },
                "output" => h with
                {
                    Output = IdentifierRegex().IsMatch(value) ? value
                        : throw new RaspSyntaxException(valuePos, $"'output' must name a variable, got '{value}'"),
                    OutputPos = valuePos,
                },
                "bos" => h with { Bos = ParseToken(file, ln, valueStart, value, key) },
                "pad" => h with { Pad = ParseToken(file, ln, valueStart, value, key) },
                _ => h with { MlpExactness = ParsePositiveNumber(value, valuePos, key) },
            };
        }
        return h;
    }

    [GeneratedRegex(@"^\(\s*[""'\[(0-9-]")]
    private static partial Regex TupleStart();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\(")]
    private static partial Regex CallStart();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierRegex();

    private static int ParsePositiveInt(string value, SourcePos pos, string key)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new RaspSyntaxException(pos, $"'{key}' must be a positive integer, got '{value}'");
        return n;
    }

    private static double ParsePositiveNumber(string value, SourcePos pos, string key)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !CompilerOptions.IsValidMlpExactness(x))
            throw new RaspSyntaxException(pos, $"'{key}' must be a positive number, got '{value}'");
        return x;
    }

    private static bool ParseBool(string value, SourcePos pos) => value.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" or "on" => true,
        "false" or "no" or "0" or "off" => false,
        _ => throw new RaspSyntaxException(pos, $"'causal' must be true or false, got '{value}'"),
    };

    private static string ParseToken(SourceFile file, int line, int valueStart, string value, string key)
    {
        var items = SplitItems(file, line, valueStart, value);
        if (items.Count != 1) throw new RaspSyntaxException(new SourcePos(file, line, valueStart + 1), $"'{key}' takes one token");
        var v = items[0].Value;
        if (!v.IsString || v.AsString.Length == 0) throw new RaspSyntaxException(items[0].Pos, $"'{key}' must be a non-empty string token");
        return v.AsString;
    }

    /// <summary>
    /// <c>a, b, c</c> (bare words are strings, numbers are numbers, True/False are bools, quotes for anything else),
    /// <c>{a, b}</c> likewise, or an expression: one starting with <c>[</c>, with <c>(</c> followed by a quote, digit or
    /// bracket, or with a call such as <c>sorted(</c>, e.g.
    /// <c>[str(i) for i in range(10)] + ["+", "="]</c>.
    /// </summary>
    private static IReadOnlyList<Value> ParseVocab(SourceFile file, int line, int valueStart, string value)
    {
        var pos = new SourcePos(file, line, valueStart + 1);
        List<(Value Value, SourcePos Pos)> items;
        if (value.StartsWith('[') || CallStart().IsMatch(value) || TupleStart().IsMatch(value))
        {
            int offset = file.Offset(line, valueStart + 1);
            var expr = Parser.ParseExpression(file, offset, value.Length, line, valueStart + 1);
            var interp = new Interpreter(new RaspSources());
            var result = interp.Eval(expr, interp.NewModule(), new Interpreter.EvalContext());
            items = Interpreter.Iterate(result, pos, "use as a vocabulary")
                .Select(o => o is Value v ? (v, pos) : throw new RaspSyntaxException(pos, $"a vocabulary holds plain values, not {Runtime.A(o)}"))
                .ToList();
        }
        else if (value.StartsWith('{'))
        {
            if (!value.EndsWith('}')) throw new RaspSyntaxException(pos, "'{' of the vocabulary is not closed");
            items = SplitItems(file, line, valueStart + 1, value[1..^1]);
        }
        else items = SplitItems(file, line, valueStart, value);
        if (items.Count == 0) throw new RaspSyntaxException(pos, "the vocabulary is empty");
        var seen = new HashSet<Value>();
        foreach (var (v, p) in items)
        {
            if (v.IsNone || v.IsTuple) throw new RaspSyntaxException(p, $"vocabulary entry {v.Repr()} must be a str, int, float or bool");
            if (!seen.Add(v)) throw new RaspSyntaxException(p, $"vocabulary entry {v.Repr()} appears twice");
        }
        return items.Select(i => i.Value).ToList();
    }

    /// <summary>Comma-separated items of a header value, each a quoted string, a number, True/False/None or a bare word.</summary>
    private static List<(Value Value, SourcePos Pos)> SplitItems(SourceFile file, int line, int start, string value)
    {
        var result = new List<(Value, SourcePos)>();
        int i = 0;
        while (true)
        {
            while (i < value.Length && value[i] is ' ' or '\t') i++;
            var pos = new SourcePos(file, line, start + i + 1);
            if (i >= value.Length)
            {
                if (result.Count > 0) throw new RaspSyntaxException(pos, "missing item after ','");
                return result;
            }
            if (value[i] is '"' or '\'')
            {
                int offset = file.Offset(line, start + i + 1);
                var tok = new Lexer(file, offset, offset + value.Length - i, line, start + i + 1).Next();
                if (tok.Kind != TokenKind.String) throw new RaspSyntaxException(pos, "expected a quoted string");
                result.Add((tok.Literal!, pos));
                i += tok.Text.Length;
            }
            else
            {
                int j = value.IndexOf(',', i);
                if (j < 0) j = value.Length;
                string raw = value[i..j].Trim();
                if (raw.Length == 0) throw new RaspSyntaxException(pos, "empty item (two commas in a row?)");
                result.Add((raw == "None" ? Value.None : Value.ParseLiteral(raw), pos));
                i = j;
            }
            while (i < value.Length && value[i] is ' ' or '\t') i++;
            if (i >= value.Length) return result;
            if (value[i] != ',') throw new RaspSyntaxException(new SourcePos(file, line, start + i + 1), $"expected ',' between items, found '{value[i]}'");
            i++;
        }
    }
}
