using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

// The parser's atoms: names, literals, f-strings, parentheses, list and dict displays.
public sealed partial class Parser
{
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
