using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text.Ast;

// ---- expressions ----

/// <summary>An expression; <see cref="Pos"/> is where errors about it point.</summary>
public abstract record Expr(SourcePos Pos)
{
    /// <summary>The source text of the expression (for descriptions of map functions).</summary>
    public string Source { get; init; } = "";

    /// <summary>Where the expression's text starts (an operator expression's <see cref="Pos"/> is its operator).</summary>
    public SourcePos? Start { get; init; }

    public SourcePos StartPos => Start ?? Pos;
}

public sealed record LiteralExpr(SourcePos Pos, Value Value) : Expr(Pos);

public sealed record NameExpr(SourcePos Pos, string Name) : Expr(Pos);

/// <summary>A comparison operator used as a value, as in <c>select(k, q, ==)</c>.</summary>
public sealed record ComparisonExpr(SourcePos Pos, Comparison Comparison) : Expr(Pos);

public sealed record FStringExpr(SourcePos Pos, IReadOnlyList<object> Parts) : Expr(Pos); // string or Expr

public sealed record ListExpr(SourcePos Pos, IReadOnlyList<Expr> Items) : Expr(Pos);

public sealed record TupleExpr(SourcePos Pos, IReadOnlyList<Expr> Items) : Expr(Pos);

public sealed record DictExpr(SourcePos Pos, IReadOnlyList<Expr> Keys, IReadOnlyList<Expr> Values) : Expr(Pos);

/// <summary><c>[elem for targets in iterable if cond]</c>.</summary>
public sealed record ListCompExpr(SourcePos Pos, Expr Element, IReadOnlyList<string> Targets, Expr Iterable, Expr? Condition) : Expr(Pos);

public sealed record UnaryExpr(SourcePos Pos, string Op, Expr Operand) : Expr(Pos);

/// <summary>Arithmetic and bitwise operators; <see cref="Expr.Pos"/> is the operator.</summary>
public sealed record BinaryExpr(SourcePos Pos, string Op, Expr Left, Expr Right) : Expr(Pos);

/// <summary><c>a &lt; b &lt;= c</c>: Python's chained comparison (ops include <c>in</c> and <c>not in</c>).</summary>
public sealed record CompareExpr(SourcePos Pos, Expr First, IReadOnlyList<string> Ops, IReadOnlyList<Expr> Rest, IReadOnlyList<SourcePos> OpPositions) : Expr(Pos);

/// <summary><c>and</c> / <c>or</c>; <see cref="Expr.Pos"/> is the operator.</summary>
public sealed record BoolOpExpr(SourcePos Pos, string Op, Expr Left, Expr Right) : Expr(Pos);

/// <summary><c>then if cond else otherwise</c>; <see cref="Expr.Pos"/> is the <c>if</c>.</summary>
public sealed record IfExpr(SourcePos Pos, Expr Then, Expr Condition, Expr Else) : Expr(Pos);

public sealed record Param(SourcePos Pos, string Name, Expr? Default);

public sealed record LambdaExpr(SourcePos Pos, IReadOnlyList<Param> Params, Expr Body) : Expr(Pos);

/// <summary>A call argument: positional, <c>name=value</c>, or <c>*xs</c> (unpacked).</summary>
public sealed record Argument(SourcePos Pos, string? Name, Expr Value, bool Star = false);

/// <summary>A call; <see cref="Expr.Pos"/> is the opening parenthesis' callee start.</summary>
public sealed record CallExpr(SourcePos Pos, Expr Callee, IReadOnlyList<Argument> Args, SourcePos ParenPos) : Expr(Pos);

public sealed record IndexExpr(SourcePos Pos, Expr Target, Expr Index) : Expr(Pos);

public sealed record SliceExpr(SourcePos Pos, Expr Target, Expr? Lower, Expr? Upper, Expr? Step) : Expr(Pos);

/// <summary><c>target.name</c>; only valid as the callee of a call (a method call such as <c>.named("x")</c>).</summary>
public sealed record AttributeExpr(SourcePos Pos, Expr Target, string Name, SourcePos NamePos) : Expr(Pos);

// ---- statements ----

public abstract record Stmt(SourcePos Pos);

/// <summary><c>a = e;</c> or <c>a, b = e1, e2;</c> / <c>a, b = f(x);</c>.</summary>
public sealed record AssignStmt(SourcePos Pos, IReadOnlyList<(string Name, SourcePos Pos)> Targets, Expr Value) : Stmt(Pos);

public sealed record ExprStmt(SourcePos Pos, Expr Expr) : Stmt(Pos);

public sealed record LoadStmt(SourcePos Pos, string Path, SourcePos PathPos) : Stmt(Pos);

public sealed record DefStmt(SourcePos Pos, string Name, SourcePos NamePos, IReadOnlyList<Param> Params, IReadOnlyList<Stmt> Body) : Stmt(Pos);

public sealed record ReturnStmt(SourcePos Pos, Expr Value) : Stmt(Pos);

public sealed record ForStmt(SourcePos Pos, IReadOnlyList<(string Name, SourcePos Pos)> Targets, Expr Iterable, IReadOnlyList<Stmt> Body) : Stmt(Pos);

public sealed record IfStmt(SourcePos Pos, Expr Condition, IReadOnlyList<Stmt> Then, IReadOnlyList<Stmt>? Else) : Stmt(Pos);
