using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

/// <summary>
/// Recursive-descent parser for RASP text. Statements end with <c>;</c> (as in the original RASP); <c>def</c>,
/// <c>for</c> and <c>if</c> take a <c>{ ... }</c> block. Expressions follow Python's grammar and precedence.
/// Every error is a <see cref="RaspSyntaxException"/> at the offending token (a missing <c>;</c> is reported just
/// after the statement it should end).
/// </summary>
public sealed class Parser
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

    // ---------------------------------------------------------------------------------------------
    // token helpers

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

    // ---------------------------------------------------------------------------------------------
    // statements

    private Stmt ParseStatement()
    {
        var t = Current;
        if (t.Kind == TokenKind.Keyword)
        {
            switch (t.Text)
            {
                case "def": return ParseDef();
                case "for": return ParseFor();
                case "if": return ParseIf();
                case "load": return ParseLoad();
                case "return":
                {
                    if (_functionDepth == 0) throw Error(t, "'return' outside a function");
                    Take();
                    if (Current.IsOp(";")) throw Error(Current, "'return' needs a value");
                    var value = ParseExprList(allowTuple: true);
                    ExpectSemicolon();
                    return new ReturnStmt(t.Pos, value);
                }
                case "else": throw Error(t, "'else' without a matching 'if { ... }'");
            }
        }
        if (t.IsOp("}")) throw Error(t, "unexpected '}' (no block is open)");
        if (t.IsOp(";")) throw Error(t, "empty statement (a stray ';')");

        // assignment: name (, name)* = ...
        if (t.Kind == TokenKind.Identifier && LooksLikeAssignment())
        {
            var targets = new List<(string, SourcePos)>();
            targets.Add(ExpectName("a variable name"));
            while (AcceptOp(",")) targets.Add(ExpectName("a variable name"));
            var eq = ExpectOp("=", "in the assignment");
            if (Current.IsOp(";") || Current.Kind == TokenKind.End) throw Error(Current, "expected a value after '='");
            var value = ParseExprList(allowTuple: true);
            if (Current.IsOp("="))
                throw Error(Current, "chained assignment 'a = b = ...' is not supported; assign each name separately");
            ExpectSemicolon();
            var dup = targets.GroupBy(x => x.Item1).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw Error(targets.Last(x => x.Item1 == dup.Key).Item2, $"'{dup.Key}' appears twice on the left of '='");
            _ = eq;
            return new AssignStmt(t.Pos, targets, value);
        }

        var expr = ParseExprList(allowTuple: true);
        if (Current.IsOp("="))
            throw Error(Current, expr is LiteralExpr ? "cannot assign to a literal" :
                expr is CallExpr ? "cannot assign to a function call" :
                expr is IndexExpr or SliceExpr ? "cannot assign to an element (values are immutable; build a new list instead)" :
                expr is AttributeExpr ? "cannot assign to an attribute" : "cannot assign to this expression (only to names)");
        ExpectSemicolon();
        return new ExprStmt(t.Pos, expr);
    }

    /// <summary>Lookahead: <c>ident (, ident)* =</c> (not <c>==</c>).</summary>
    private bool LooksLikeAssignment()
    {
        int k = 0;
        while (true)
        {
            var tk = PeekToken(k);
            if (tk.Kind != TokenKind.Identifier) return false;
            var next = PeekToken(k + 1);
            if (next.IsOp("=")) return true;
            if (!next.IsOp(",")) return false;
            k += 2;
        }
    }

    private Stmt ParseLoad()
    {
        var kw = Take();
        if (Current.Kind != TokenKind.String)
            throw Error(Current, $"expected a file name in quotes after 'load' (e.g. load \"lib.rasp\";), found {Current.Describe()}");
        var s = Take();
        string path = s.Literal!.AsString;
        if (path.Length == 0) throw Error(s, "empty file name after 'load'");
        ExpectSemicolon();
        return new LoadStmt(kw.Pos, path, s.Pos);
    }

    private List<Param> ParseParams(string close, string what)
    {
        var ps = new List<Param>();
        if (Current.IsOp(close)) return ps;
        while (true)
        {
            var (name, pos) = ExpectName($"a parameter name of the {what}");
            Expr? def = null;
            if (AcceptOp("=")) def = ParseExpr();
            else if (ps.Any(p => p.Default is not null))
                throw Error(pos, $"parameter '{name}' without a default follows one with a default");
            if (ps.Any(p => p.Name == name)) throw Error(pos, $"duplicate parameter '{name}'");
            ps.Add(new Param(pos, name, def));
            if (!AcceptOp(",")) break;
            if (Current.IsOp(close)) break;
        }
        return ps;
    }

    private Stmt ParseDef()
    {
        var kw = Take();
        var (name, namePos) = ExpectName("a function name after 'def'");
        var open = Current;
        if (!open.IsOp("(")) throw Error(Current, $"expected '(' after the function name '{name}', found {Current.Describe()}");
        Take();
        var ps = ParseParams(")", "function");
        ExpectClose(")", open, $"after the parameters of '{name}'");
        if (Current.IsOp(":"))
            throw Error(Current, "a function body is a block in braces: def f(x) { ...; return ...; } (not ':' as in Python)");
        _functionDepth++;
        var body = ParseBlock($"the body of '{name}'");
        _functionDepth--;
        if (!ContainsReturn(body))
            throw Error(namePos, $"function '{name}' has no 'return' statement (a RASP function ends with 'return value;')");
        return new DefStmt(kw.Pos, name, namePos, ps, body);
    }

    private static bool ContainsReturn(IEnumerable<Stmt> body) => body.Any(s => s switch
    {
        ReturnStmt => true,
        IfStmt i => ContainsReturn(i.Then) || (i.Else is not null && ContainsReturn(i.Else)),
        ForStmt f => ContainsReturn(f.Body),
        _ => false,
    });

    private List<Stmt> ParseBlock(string what)
    {
        var open = Current;
        if (!open.IsOp("{")) throw Error(Current, $"expected '{{' to start {what}, found {Current.Describe()}");
        Take();
        var body = new List<Stmt>();
        while (!Current.IsOp("}"))
        {
            if (Current.Kind == TokenKind.End) throw Error(open.Pos, $"'{{' of {what} is never closed (expected '}}')", atEnd: true);
            body.Add(ParseStatement());
        }
        Take();
        return body;
    }

    private Stmt ParseFor()
    {
        var kw = Take();
        var targets = new List<(string, SourcePos)> { ExpectName("a loop variable after 'for'") };
        while (AcceptOp(",")) targets.Add(ExpectName("a loop variable"));
        if (!AcceptKeyword("in")) throw Error(Current, $"expected 'in' after the loop variable, found {Current.Describe()}");
        var iterable = ParseOr();
        if (Current.IsOp(":"))
            throw Error(Current, "a loop body is a block in braces: for x in xs { ... } (not ':' as in Python)");
        var body = ParseBlock("the loop body");
        return new ForStmt(kw.Pos, targets, iterable, body);
    }

    private Stmt ParseIf()
    {
        var kw = Take();
        var cond = ParseExpr();
        if (Current.IsOp(":"))
            throw Error(Current, "an if body is a block in braces: if c { ... } else { ... } (not ':' as in Python)");
        var then = ParseBlock("the 'if' body");
        List<Stmt>? otherwise = null;
        if (AcceptKeyword("else"))
            otherwise = Current.IsKeyword("if") ? [ParseIf()] : ParseBlock("the 'else' body");
        return new IfStmt(kw.Pos, cond, then, otherwise);
    }

    // ---------------------------------------------------------------------------------------------
    // expressions

    private Expr WithSource(Expr e, Token first)
    {
        int start = IndexOf(first.Pos);
        int end = IndexOf(Previous.End);
        return e with { Source = start >= 0 && end >= start ? _file.Text[start..end] : "", Start = first.Pos };
    }

    private int IndexOf(SourcePos pos) => _file.Offset(pos.Line, pos.Column);

    /// <summary><c>e</c> or <c>e1, e2, ...</c> (a tuple without parentheses, as on the right of '=').</summary>
    private Expr ParseExprList(bool allowTuple)
    {
        var first = Current;
        var e = ParseExpr();
        if (!allowTuple || !Current.IsOp(",")) return e;
        var items = new List<Expr> { e };
        while (AcceptOp(","))
        {
            if (Current.IsOp(";") || Current.IsOp("=")) break;
            items.Add(ParseExpr());
        }
        return WithSource(new TupleExpr(first.Pos, items), first);
    }

    private const int MaxNesting = 200;
    private int _depth;

    public Expr ParseExpr()
    {
        if (++_depth > MaxNesting)
            throw Error(Current, $"expression nested too deeply (more than {MaxNesting} levels)");
        try
        {
            return ParseExprCore();
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseExprCore()
    {
        var first = Current;
        if (Current.IsKeyword("lambda"))
        {
            Take();
            var ps = ParseParams(":", "lambda");
            if (!Current.IsOp(":"))
                throw Error(Current, $"expected ':' after the lambda's parameters, found {Current.Describe()}");
            Take();
            var body = ParseExpr();
            return WithSource(new LambdaExpr(first.Pos, ps, body), first);
        }
        var e = ParseOr();
        if (Current.IsKeyword("if"))
        {
            var ifTok = Take();
            var cond = ParseOr();
            if (!AcceptKeyword("else"))
                throw Error(Current, $"expected 'else' in the conditional expression 'a if c else b', found {Current.Describe()}");
            var other = ParseExpr();
            return WithSource(new IfExpr(ifTok.Pos, e, cond, other), first);
        }
        return e;
    }

    private Expr ParseOr()
    {
        var first = Current;
        var e = ParseAnd();
        while (Current.IsKeyword("or"))
        {
            var op = Take();
            e = WithSource(new BoolOpExpr(op.Pos, "or", e, ParseAnd()), first);
        }
        return e;
    }

    private Expr ParseAnd()
    {
        var first = Current;
        var e = ParseNot();
        while (Current.IsKeyword("and"))
        {
            var op = Take();
            e = WithSource(new BoolOpExpr(op.Pos, "and", e, ParseNot()), first);
        }
        return e;
    }

    private Expr ParseNot()
    {
        var first = Current;
        if (Current.IsKeyword("not"))
        {
            Take();
            return WithSource(new UnaryExpr(first.Pos, "not", ParseNot()), first);
        }
        return ParseComparison();
    }

    private Expr ParseComparison()
    {
        var first = Current;
        var e = ParseBitOr();
        var ops = new List<string>();
        var rest = new List<Expr>();
        var poss = new List<SourcePos>();
        while (true)
        {
            string? op = null;
            var at = Current;
            if (Current.Kind == TokenKind.Operator && CompareOps.Contains(Current.Text)) { op = Current.Text; Take(); }
            else if (Current.IsKeyword("in")) { op = "in"; Take(); }
            else if (Current.IsKeyword("not") && PeekToken(1).IsKeyword("in")) { op = "not in"; Take(); Take(); }
            if (op is null) break;
            if (Current.IsOp(")") || Current.IsOp(","))
                throw Error(at, $"'{op}' needs a right operand (a comparison is a value only as select's third argument)");
            ops.Add(op);
            poss.Add(at.Pos);
            rest.Add(ParseBitOr());
        }
        return ops.Count == 0 ? e : WithSource(new CompareExpr(poss[0], e, ops, rest, poss), first);
    }

    private Expr ParseBitOr()
    {
        var first = Current;
        var e = ParseBitAnd();
        while (Current.IsOp("|"))
        {
            var op = Take();
            e = WithSource(new BinaryExpr(op.Pos, "|", e, ParseBitAnd()), first);
        }
        return e;
    }

    private Expr ParseBitAnd()
    {
        var first = Current;
        var e = ParseArith();
        while (Current.IsOp("&"))
        {
            var op = Take();
            e = WithSource(new BinaryExpr(op.Pos, "&", e, ParseArith()), first);
        }
        return e;
    }

    private Expr ParseArith()
    {
        var first = Current;
        var e = ParseTerm();
        while (Current.IsOp("+") || Current.IsOp("-"))
        {
            var op = Take();
            e = WithSource(new BinaryExpr(op.Pos, op.Text, e, ParseTerm()), first);
        }
        return e;
    }

    private Expr ParseTerm()
    {
        var first = Current;
        var e = ParseFactor();
        while (Current.IsOp("*") || Current.IsOp("/") || Current.IsOp("//") || Current.IsOp("%"))
        {
            var op = Take();
            e = WithSource(new BinaryExpr(op.Pos, op.Text, e, ParseFactor()), first);
        }
        return e;
    }

    private Expr ParseFactor()
    {
        var first = Current;
        if (Current.IsOp("-") || Current.IsOp("+") || Current.IsOp("~"))
        {
            var op = Take();
            var operand = ParseFactor();
            // Fold a sign into a numeric literal, as Python's constant folding would (-1 is one constant).
            if (op.Text == "-" && operand is LiteralExpr { Value.IsNumber: true } lit && lit.Value.Kind != ValueKind.Bool)
                return WithSource(new LiteralExpr(op.Pos, Py.Neg(lit.Value)), first);
            return WithSource(new UnaryExpr(op.Pos, op.Text, operand), first);
        }
        return ParsePower();
    }

    private Expr ParsePower()
    {
        var first = Current;
        var e = ParsePostfix();
        if (Current.IsOp("**"))
        {
            var op = Take();
            return WithSource(new BinaryExpr(op.Pos, "**", e, ParseFactor()), first);
        }
        return e;
    }

    private Expr ParsePostfix()
    {
        var first = Current;
        var e = ParseAtom();
        while (true)
        {
            if (Current.IsOp("("))
            {
                var open = Take();
                var args = ParseArguments(open);
                e = WithSource(new CallExpr(e.Pos, e, args, open.Pos), first);
            }
            else if (Current.IsOp("["))
            {
                var open = Take();
                e = ParseSubscript(e, open, first);
            }
            else if (Current.IsOp("."))
            {
                var dot = Take();
                if (Current.Kind != TokenKind.Identifier)
                    throw Error(Current, $"expected a method name after '.', found {Current.Describe()}");
                var name = Take();
                e = WithSource(new AttributeExpr(dot.Pos, e, name.Text, name.Pos), first);
            }
            else return e;
        }
    }

    private Expr ParseSubscript(Expr target, Token open, Token first)
    {
        Expr? lower = null, upper = null, step = null;
        bool slice = false;
        if (Current.IsOp("]")) throw Error(open, "empty index '[]'");
        if (!Current.IsOp(":")) lower = ParseExpr();
        if (AcceptOp(":"))
        {
            slice = true;
            if (!Current.IsOp("]") && !Current.IsOp(":")) upper = ParseExpr();
            if (AcceptOp(":") && !Current.IsOp("]")) step = ParseExpr();
        }
        if (Current.IsOp(",")) throw Error(Current, "multiple indices are not supported (index one at a time: x[i][j])");
        ExpectClose("]", open, "to end the index");
        if (!slice)
        {
            if (lower is null) throw Error(open, "empty index '[]'");
            return WithSource(new IndexExpr(open.Pos, target, lower), first);
        }
        return WithSource(new SliceExpr(open.Pos, target, lower, upper, step), first);
    }

    private List<Argument> ParseArguments(Token open)
    {
        var args = new List<Argument>();
        bool sawKeyword = false;
        {
            while (!Current.IsOp(")"))
            {
                if (Current.Kind == TokenKind.End) throw Error(open.Pos, "'(' is never closed (expected ')')", atEnd: true);
                var at = Current;
                if (at.Kind == TokenKind.Operator && CompareOps.Contains(at.Text) && (PeekToken(1).IsOp(",") || PeekToken(1).IsOp(")")))
                {
                    Take();
                    if (sawKeyword) throw Error(at, "positional argument after a keyword argument");
                    args.Add(new Argument(at.Pos, null, new ComparisonExpr(at.Pos, ComparisonOf(at.Text)) { Source = at.Text }));
                }
                else if (at.IsOp("=") && (PeekToken(1).IsOp(",") || PeekToken(1).IsOp(")")))
                {
                    throw Error(at, "'=' is assignment; the equality comparison is '=='");
                }
                else if (at.IsOp("*"))
                {
                    Take();
                    if (sawKeyword) throw Error(at, "'*' argument after a keyword argument");
                    args.Add(new Argument(at.Pos, null, ParseExpr(), Star: true));
                }
                else if (at.Kind == TokenKind.Identifier && PeekToken(1).IsOp("="))
                {
                    Take(); Take();
                    if (args.Any(a => a.Name == at.Text)) throw Error(at, $"keyword argument '{at.Text}' repeated");
                    sawKeyword = true;
                    args.Add(new Argument(at.Pos, at.Text, ParseExpr()));
                }
                else
                {
                    if (at.IsOp(",")) throw Error(at, "missing argument before ','");
                    if (sawKeyword) throw Error(at, "positional argument after a keyword argument");
                    args.Add(new Argument(at.Pos, null, ParseExpr()));
                }
                if (AcceptOp(",")) continue;
                if (Current.IsOp(")")) break;
                if (Current.Kind == TokenKind.End) throw Error(open.Pos, "'(' is never closed (expected ')')", atEnd: true);
                throw Error(Current, $"expected ',' or ')' in the argument list, found {Current.Describe()}" + TypoHint(Current));
            }
            Take();
            return args;
        }
    }

    private static Comparison ComparisonOf(string op) => op switch
    {
        "==" => Comparison.EQ,
        "!=" => Comparison.NEQ,
        "<" => Comparison.LT,
        "<=" => Comparison.LEQ,
        ">" => Comparison.GT,
        _ => Comparison.GEQ,
    };

    private Expr ParseAtom()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Int:
            case TokenKind.Float:
            case TokenKind.String:
                Take();
                // Adjacent string literals concatenate, as in Python.
                if (t.Kind == TokenKind.String && Current.Kind == TokenKind.String)
                {
                    string s = t.Literal!.AsString;
                    while (Current.Kind == TokenKind.String) s += Take().Literal!.AsString;
                    return WithSource(new LiteralExpr(t.Pos, Value.Str(s)), t);
                }
                return new LiteralExpr(t.Pos, t.Literal!) { Source = t.Text };
            case TokenKind.FString:
                Take();
                return WithSource(ParseFString(t), t);
            case TokenKind.Identifier:
                Take();
                return new NameExpr(t.Pos, t.Text) { Source = t.Text };
            case TokenKind.Keyword:
                switch (t.Text)
                {
                    case "True": Take(); return new LiteralExpr(t.Pos, Value.True) { Source = "True" };
                    case "False": Take(); return new LiteralExpr(t.Pos, Value.False) { Source = "False" };
                    case "None": Take(); return new LiteralExpr(t.Pos, Value.None) { Source = "None" };
                    case "lambda": return ParseExpr();
                    case "not": return ParseNot();
                }
                throw Error(t, $"unexpected keyword '{t.Text}' where a value was expected");
            case TokenKind.Operator:
                switch (t.Text)
                {
                    case "(": return ParseParenthesised();
                    case "[": return ParseList();
                    case "{": return ParseDict();
                }
                if (CompareOps.Contains(t.Text))
                    throw Error(t, $"'{t.Text}' is missing its left operand (a comparison is a value only as select's third argument)");
                if (t.Text is ")" or "]" or "}") throw Error(t, $"unexpected '{t.Text}' (nothing to close)");
                if (t.Text == ";") throw Error(t, "expected a value before ';'");
                throw Error(t, $"expected a value, found '{t.Text}'");
            default:
                throw Error(t, "unexpected end of input: a value is missing");
        }
    }

    private Expr ParseFString(Token t)
    {
        var parts = new List<object>();
        foreach (var part in t.Parts!)
        {
            if (part.Literal is not null) parts.Add(part.Literal);
            else parts.Add(ParseExpression(_file, part.Offset, part.Length, part.Pos.Line, part.Pos.Column));
        }
        return new FStringExpr(t.Pos, parts);
    }

    private Expr ParseParenthesised()
    {
        var open = Take();
        if (Current.IsOp(")"))
        {
            Take();
            return WithSource(new TupleExpr(open.Pos, []), open);
        }
        var first = ParseExpr();
        if (Current.IsOp(")"))
        {
            Take();
            return WithSource(first, open);
        }
        if (Current.IsKeyword("for")) throw Error(Current, "generator expressions are not supported; use a list comprehension [... for ...]");
        if (!Current.IsOp(","))
        {
            if (Current.Kind == TokenKind.End) throw Error(open.Pos, "'(' is never closed (expected ')')", atEnd: true);
            throw Error(Current, $"expected ')' to close '(' at {open.Pos.Line}:{open.Pos.Column}, found {Current.Describe()}" + TypoHint(Current));
        }
        var items = new List<Expr> { first };
        while (AcceptOp(","))
        {
            if (Current.IsOp(")")) break;
            items.Add(ParseExpr());
        }
        ExpectClose(")", open, "to end the tuple");
        return WithSource(new TupleExpr(open.Pos, items), open);
    }

    private Expr ParseList()
    {
        var open = Take();
        var items = new List<Expr>();
        if (Current.IsOp("]"))
        {
            Take();
            return WithSource(new ListExpr(open.Pos, items), open);
        }
        var first = ParseExpr();
        if (Current.IsKeyword("for"))
        {
            Take();
            var targets = new List<string> { ExpectName("a loop variable after 'for'").Name };
            while (AcceptOp(",")) targets.Add(ExpectName("a loop variable").Name);
            if (!AcceptKeyword("in")) throw Error(Current, $"expected 'in' in the list comprehension, found {Current.Describe()}");
            var iterable = ParseOr();
            Expr? cond = null;
            if (AcceptKeyword("if")) cond = ParseOr();
            ExpectClose("]", open, "to end the list comprehension");
            return WithSource(new ListCompExpr(open.Pos, first, targets, iterable, cond), open);
        }
        items.Add(first);
        while (AcceptOp(","))
        {
            if (Current.IsOp("]")) break;
            items.Add(ParseExpr());
        }
        ExpectClose("]", open, "to end the list");
        return WithSource(new ListExpr(open.Pos, items), open);
    }

    private Expr ParseDict()
    {
        var open = Take();
        var keys = new List<Expr>();
        var values = new List<Expr>();
        while (!Current.IsOp("}"))
        {
            if (Current.Kind == TokenKind.End) throw Error(open.Pos, "'{' is never closed (expected '}')", atEnd: true);
            keys.Add(ParseExpr());
            if (!Current.IsOp(":"))
                throw Error(Current, $"expected ':' after a dictionary key, found {Current.Describe()} (sets are not supported)");
            Take();
            values.Add(ParseExpr());
            if (!AcceptOp(",")) break;
        }
        ExpectClose("}", open, "to end the dictionary");
        return WithSource(new DictExpr(open.Pos, keys, values), open);
    }
}
