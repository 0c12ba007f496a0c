using System.Globalization;
using System.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

public enum TokenKind { Identifier, Keyword, Int, Float, String, FString, Operator, End }

/// <summary>One token; <see cref="End"/> is the position just after its last character.</summary>
public sealed record Token(TokenKind Kind, string Text, SourcePos Pos, SourcePos End, Value? Literal = null)
{
    /// <summary>For f-strings: literal pieces and embedded expressions (with the offset and position of each).</summary>
    public IReadOnlyList<FStringPart>? Parts { get; init; }

    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;
    public bool IsOp(string text) => Kind == TokenKind.Operator && Text == text;
    public bool IsKeyword(string text) => Kind == TokenKind.Keyword && Text == text;

    public string Describe() => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.String or TokenKind.FString => "string " + Text,
        TokenKind.Int or TokenKind.Float => "number " + Text,
        TokenKind.Keyword => $"keyword '{Text}'",
        TokenKind.Identifier => $"name '{Text}'",
        _ => $"'{Text}'",
    };
}

/// <summary>A piece of an f-string: literal text, or the source of an expression in braces.</summary>
public sealed record FStringPart(string? Literal, int Offset, int Length, SourcePos Pos);

/// <summary>Turns RASP text into tokens. Comments (<c>#</c> to the end of the line) and whitespace are skipped.</summary>
public sealed class Lexer
{
    public static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "def", "return", "for", "in", "if", "else", "and", "or", "not", "lambda", "load", "True", "False", "None",
    };

    // Longest first.
    private static readonly string[] Operators =
    [
        "**", "//", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "&", "|", "~",
    ];

    private readonly SourceFile _file;
    private readonly string _text;
    private readonly int _end;
    private int _i;
    private int _line;
    private int _col;

    public Lexer(SourceFile file) : this(file, 0, file.Text.Length, 1, 1) { }

    /// <summary>Lexes <c>text[start..end)</c> where <paramref name="start"/> is at the given line and column.</summary>
    public Lexer(SourceFile file, int start, int end, int line, int column)
    {
        _file = file;
        _text = file.Text;
        _i = start;
        _end = end;
        _line = line;
        _col = column;
    }

    public static List<Token> Tokenize(SourceFile file) => new Lexer(file).All();

    public List<Token> All()
    {
        var list = new List<Token>();
        while (true)
        {
            var t = Next();
            list.Add(t);
            if (t.Kind == TokenKind.End) return list;
        }
    }

    private SourcePos Here => new(_file, _line, _col);

    private char Peek(int k = 0) => _i + k < _end ? _text[_i + k] : '\0';

    private void Advance()
    {
        if (_text[_i] == '\n') { _line++; _col = 1; }
        else _col++;
        _i++;
    }

    private RaspSyntaxException Error(SourcePos pos, string message, bool atEnd = false) => new(pos, message) { AtEndOfInput = atEnd };

    public Token Next()
    {
        SkipTrivia();
        var start = Here;
        if (_i >= _end) return new Token(TokenKind.End, "", start, start);
        char c = Peek();
        int startIndex = _i;

        if ((c == 'f' || c == 'F') && (Peek(1) == '"' || Peek(1) == '\''))
        {
            Advance();
            return LexString(start, startIndex, isF: true);
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (char.IsAsciiLetterOrDigit(Peek()) || Peek() == '_') Advance();
            string word = _text[startIndex.._i];
            return new Token(Keywords.Contains(word) ? TokenKind.Keyword : TokenKind.Identifier, word, start, Here);
        }
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            return LexNumber(start, startIndex);
        if (c == '"' || c == '\'')
            return LexString(start, startIndex, isF: false);

        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(_text, _i, op, 0, op.Length) == 0 && _i + op.Length <= _end)
            {
                for (int k = 0; k < op.Length; k++) Advance();
                return new Token(TokenKind.Operator, op, start, Here);
            }
        }

        string hint = c switch
        {
            '!' => " (write '!=' for 'not equal', or 'not x')",
            '^' => " (write '**' for a power)",
            '@' or '$' or '?' or '`' => "",
            '\\' => " (a backslash may only appear inside a string)",
            _ => "",
        };
        string shown = char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
        throw Error(start, $"unexpected character {shown}{hint}");
    }

    private void SkipTrivia()
    {
        while (_i < _end)
        {
            char c = Peek();
            if (c == '#')
            {
                while (_i < _end && Peek() != '\n') Advance();
            }
            else if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v' || c == '\uFEFF')
            {
                Advance();
            }
            else break;
        }
    }

    private Token LexNumber(SourcePos start, int startIndex)
    {
        bool isFloat = false;
        while (char.IsAsciiDigit(Peek())) Advance();
        if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
        {
            isFloat = true;
            Advance();
            while (char.IsAsciiDigit(Peek())) Advance();
        }
        else if (Peek() == '.' && !char.IsAsciiLetter(Peek(1)) && Peek(1) != '_' && Peek(1) != '.')
        {
            // "1." is a float in Python; "1.named" never makes sense, so letters after '.' stay an attribute access.
            isFloat = true;
            Advance();
        }
        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            isFloat = true;
            Advance();
            if (Peek() is '+' or '-') Advance();
            while (char.IsAsciiDigit(Peek())) Advance();
        }
        if (char.IsAsciiLetter(Peek()) || Peek() == '_')
        {
            var bad = Here;
            throw Error(bad, $"unexpected '{Peek()}' right after the number {_text[startIndex.._i]}");
        }
        string text = _text[startIndex.._i];
        if (isFloat)
        {
            double d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return new Token(TokenKind.Float, text, start, Here, Value.Float(d));
        }
        if (text.Length > 1 && text[0] == '0' && text.Any(ch => ch != '0'))
            throw Error(start, $"leading zeros are not allowed in the integer {text} (as in Python)");
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
            throw Error(start, $"the integer {text} is too large (this port uses 64-bit ints)");
        return new Token(TokenKind.Int, text, start, Here, Value.Int(v));
    }

    private Token LexString(SourcePos start, int startIndex, bool isF)
    {
        char quote = Peek();
        Advance();
        var sb = new StringBuilder();
        var parts = isF ? new List<FStringPart>() : null;
        var literalStart = Here;
        while (true)
        {
            if (_i >= _end || Peek() == '\n')
                throw Error(start, "this string is not closed (a string ends on the line it starts)", atEnd: _i >= _end);
            char c = Peek();
            if (c == quote)
            {
                Advance();
                break;
            }
            if (c == '\\')
            {
                var escPos = Here;
                Advance();
                if (_i >= _end || Peek() == '\n') throw Error(start, "this string is not closed (a string ends on the line it starts)", atEnd: _i >= _end);
                char e = Peek();
                Advance();
                sb.Append(e switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' => '\\',
                    '\'' => '\'',
                    '"' => '"',
                    '{' when isF => '{',
                    '}' when isF => '}',
                    _ => throw Error(escPos, $"unknown escape sequence '\\{e}' (known: \\n \\t \\r \\0 \\\\ \\' \\\")"),
                });
                continue;
            }
            if (isF && c == '{')
            {
                if (Peek(1) == '{')
                {
                    Advance(); Advance();
                    sb.Append('{');
                    continue;
                }
                if (sb.Length > 0) parts!.Add(new FStringPart(sb.ToString(), 0, 0, literalStart));
                sb.Clear();
                var bracePos = Here;
                Advance();
                var exprPos = Here;
                int exprStart = _i;
                int depth = 0;
                while (true)
                {
                    if (_i >= _end || Peek() == '\n') throw Error(bracePos, "'{' in this f-string is not closed", atEnd: _i >= _end);
                    if (Peek() == quote) throw Error(bracePos, "'{' in this f-string is not closed before the string ends");
                    if (Peek() is '(' or '[' or '{') depth++;
                    else if (Peek() is ')' or ']') depth--;
                    else if (Peek() == '}')
                    {
                        if (depth == 0) break;
                        depth--;
                    }
                    Advance();
                }
                if (_i == exprStart) throw Error(bracePos, "empty expression '{}' in an f-string");
                parts!.Add(new FStringPart(null, exprStart, _i - exprStart, exprPos));
                Advance(); // '}'
                literalStart = Here;
                continue;
            }
            if (isF && c == '}')
            {
                if (Peek(1) == '}')
                {
                    Advance(); Advance();
                    sb.Append('}');
                    continue;
                }
                throw Error(Here, "single '}' in an f-string (write '}}')");
            }
            sb.Append(c);
            Advance();
        }
        string raw = _text[startIndex.._i];
        if (isF)
        {
            if (sb.Length > 0) parts!.Add(new FStringPart(sb.ToString(), 0, 0, literalStart));
            return new Token(TokenKind.FString, raw, start, Here) { Parts = parts };
        }
        return new Token(TokenKind.String, raw, start, Here, Value.Str(sb.ToString()));
    }
}
