using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

// The parser's expressions, one method per Python precedence level, then subscripts and call arguments.
public sealed partial class Parser
{
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
}
