namespace TracrInjection.Rasp.Text;

/// <summary>What one top-level statement did (the REPL prints these).</summary>
public abstract record StatementEffect(SourcePos Pos);

/// <summary><c>name = value;</c></summary>
public sealed record AssignedEffect(SourcePos Pos, string Name, object Value) : StatementEffect(Pos);

/// <summary><c>expr;</c></summary>
public sealed record EvaluatedEffect(SourcePos Pos, object Value) : StatementEffect(Pos);

/// <summary><c>def name(...) { ... }</c></summary>
public sealed record DefinedEffect(SourcePos Pos, string Name, UserFunction Function) : StatementEffect(Pos);

/// <summary><c>load "file";</c> with the names it brought in.</summary>
public sealed record LoadedEffect(SourcePos Pos, string File, IReadOnlyList<string> Names) : StatementEffect(Pos);

/// <summary>Any other statement (for, if).</summary>
public sealed record ControlFlowEffect(SourcePos Pos) : StatementEffect(Pos);
