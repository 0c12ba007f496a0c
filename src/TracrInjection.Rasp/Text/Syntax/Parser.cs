using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;

namespace TracrInjection.Rasp.Text;

/// <summary>
/// Recursive-descent parser for RASP text. Statements end with <c>;</c> (as in the original RASP); <c>def</c>,
/// <c>for</c> and <c>if</c> take a <c>{ ... }</c> block. Expressions follow Python's grammar and precedence.
/// Every error is a <see cref="RaspSyntaxException"/> at the offending token (a missing <c>;</c> is reported just
/// after the statement it should end).
/// </summary>
public sealed partial class Parser
{
    private static readonly HashSet<string> CompareOps = ["==", "!=", "<", "<=", ">", ">="];

    private readonly SourceFile _file;
    private readonly List<Token> _tokens;
    private int _p;
    private int _functionDepth;

    private Parser(SourceFile file, List<Token> tokens)
    {
        _file = file;
        _tokens = tokens;
    }

    /// <summary>Parses a whole file (or REPL input) into statements.</summary>
    public static List<Stmt> ParseProgram(SourceFile file)
    {
        var parser = new Parser(file, Lexer.Tokenize(file));
        var statements = new List<Stmt>();
        while (parser.Current.Kind != TokenKind.End) statements.Add(parser.ParseStatement());
        return statements;
    }

    /// <summary>Parses one expression filling <c>text[start..start+length)</c> (header values, f-string parts).</summary>
    public static Expr ParseExpression(SourceFile file, int start, int length, int line, int column)
    {
        var tokens = new Lexer(file, start, start + length, line, column).All();
        var parser = new Parser(file, tokens);
        var e = parser.ParseExpr();
        if (parser.Current.Kind != TokenKind.End) throw parser.Error(parser.Current, $"unexpected {parser.Current.Describe()} after the expression");
        return e;
    }


    private Token Current => _tokens[_p];
    private Token PeekToken(int k) => _tokens[Math.Min(_p + k, _tokens.Count - 1)];
    private Token Previous => _tokens[Math.Max(_p - 1, 0)];

    private Token Take()
    {
        var t = _tokens[_p];
        if (_p < _tokens.Count - 1) _p++;
        return t;
    }

    private bool AcceptOp(string op)
    {
        if (!Current.IsOp(op)) return false;
        Take();
        return true;
    }

    private bool AcceptKeyword(string kw)
    {
        if (!Current.IsKeyword(kw)) return false;
        Take();
        return true;
    }

    private RaspSyntaxException Error(Token at, string message) =>
        new(at.Pos, message) { AtEndOfInput = at.Kind == TokenKind.End };

    private RaspSyntaxException Error(SourcePos at, string message, bool atEnd = false) => new(at, message) { AtEndOfInput = atEnd };

    private Token ExpectOp(string op, string what)
    {
        if (Current.IsOp(op)) return Take();
        throw Error(Current, $"expected '{op}' {what}, found {Current.Describe()}");
    }

    /// <summary>A closing bracket; at the end of input the error points at the opening one.</summary>
    private void ExpectClose(string close, Token open, string what)
    {
        if (Current.IsOp(close)) { Take(); return; }
        if (Current.Kind == TokenKind.End)
            throw Error(open.Pos, $"'{open.Text}' is never closed (expected '{close}')", atEnd: true);
        throw Error(Current, $"expected '{close}' {what}, found {Current.Describe()}");
    }

    /// <summary>The <c>;</c> that ends a statement.</summary>
    private void ExpectSemicolon()
    {
        if (AcceptOp(";")) return;
        if (Current.Kind == TokenKind.End)
            throw Error(Previous.End, "missing ';' at the end of the statement", atEnd: true);
        if (Current.Pos.Line != Previous.End.Line)
            throw Error(Previous.End, $"missing ';' at the end of the statement (the next line starts with {Current.Describe()})");
        throw Error(Current, $"expected ';' after the statement, found {Current.Describe()}" + TypoHint(Current));
    }

    private static string TypoHint(Token t) =>
        t.IsOp("=") ? " (use '==' to compare)" :
        t.Kind is TokenKind.Identifier or TokenKind.Int or TokenKind.Float or TokenKind.String ? " (is an operator or ',' missing?)" : "";

    private (string Name, SourcePos Pos) ExpectName(string what)
    {
        if (Current.Kind == TokenKind.Identifier)
        {
            var t = Take();
            return (t.Text, t.Pos);
        }
        if (Current.Kind == TokenKind.Keyword)
            throw Error(Current, $"'{Current.Text}' is a keyword and cannot be used as {what}");
        throw Error(Current, $"expected {what}, found {Current.Describe()}");
    }
}
