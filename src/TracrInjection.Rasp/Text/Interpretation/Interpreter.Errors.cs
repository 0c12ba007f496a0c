using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's errors: Python exceptions become located RASP errors, except inside a compiled function.
public sealed partial class Interpreter
{
    internal static RaspEvaluationException Err(SourcePos pos, string message, Exception? inner = null) => new(pos, message, inner);

    private static string PyKind(Exception e) => e switch
    {
        PyTypeError => "TypeError",
        PyValueError when e.Message.StartsWith("IndexError", StringComparison.Ordinal) || e.Message.StartsWith("KeyError", StringComparison.Ordinal) => "",
        PyValueError => "ValueError",
        PyArithmeticError => "ArithmeticError",
        _ => e.GetType().Name,
    };

    /// <summary>
    /// A Python error raised at <paramref name="pos"/>. While building the program it becomes a located
    /// <see cref="RaspEvaluationException"/>; inside a map/select function it stays the same Python error type
    /// (the compiler treats ArithmeticError as tracr does) with the location prepended once.
    /// </summary>
    internal static Exception Located(Exception e, SourcePos pos, EvalContext c)
    {
        if (!c.InValueFunction) return Err(pos, PyKind(e) is { Length: > 0 } kind ? $"{kind}: {e.Message}" : e.Message, e);
        if (e.Data.Contains("rasp.located")) return e;
        Exception n = e switch
        {
            PyTypeError => new PyTypeError($"{pos}: {e.Message}"),
            PyValueError => new PyValueError($"{pos}: {e.Message}"),
            _ => new PyArithmeticError($"{pos}: {e.Message}"),
        };
        n.Data["rasp.located"] = true;
        return n;
    }

    private static T Guard<T>(SourcePos pos, EvalContext c, Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError)
        {
            throw Located(e, pos, c);
        }
    }
}
