using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;

namespace TracrInjection.Rasp.Text;

// The parser's statements: assignment, load, def, for, if and blocks.
public sealed partial class Parser
{
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
}
