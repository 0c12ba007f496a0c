namespace TracrInjection.Compiler;

/// <summary>Why tracr's compiler family refused a program (NotImplementedError, ValueError, ... in tracr).</summary>
public enum CompilationErrorKind { Unsupported, InvalidArgument, Internal }

/// <summary>A program or option the compiler cannot handle; the message names the offending expression.</summary>
public sealed class CompilationException(CompilationErrorKind kind, string message, string? expressionLabel = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CompilationErrorKind Kind { get; } = kind;
    public string? ExpressionLabel { get; } = expressionLabel;
}
