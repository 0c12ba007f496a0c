using System.Text;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text.Ast;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

/// <summary>
/// A Python list (mutable), or a tuple holding something that is not a plain <see cref="Value"/> (e.g. a tuple of
/// SOps returned by a function). Tuples of plain values are <see cref="Value"/> tuples.
/// </summary>
public sealed class RaspList(List<object> items, bool isTuple = false)
{
    public List<object> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;

    public override string ToString() => Runtime.Repr(this);
}

/// <summary>A Python dict with plain-value keys (insertion-ordered).</summary>
public sealed class RaspDict
{
    public List<Value> Keys { get; } = [];
    public Dictionary<Value, object> Items { get; } = [];

    public void Set(Value k, object v)
    {
        if (!Items.ContainsKey(k)) Keys.Add(k);
        Items[k] = v;
    }

    public override string ToString() => Runtime.Repr(this);
}

/// <summary>
/// A namespace such as <c>rasp</c> (tracr's module: <c>rasp.Map</c>, <c>rasp.Comparison.EQ</c>, ...) or <c>lib</c> (the bundled
/// tracr library), so that tracr's Python spellings work too.
/// </summary>
public sealed class RaspNamespace(string name, IReadOnlyList<string> members, Func<string, SourcePos, object?> member)
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Members { get; } = members;
    public object? Get(string attribute, SourcePos pos) => member(attribute, pos);
    public override string ToString() => $"<module '{Name}'>";
}

/// <summary>A built-in comparison used as a value (the third argument of <c>select</c>).</summary>
public sealed record ComparisonValue(Comparison Comparison);

/// <summary>Anything that can be called: user functions, lambdas, built-ins and bound methods.</summary>
public abstract class Callable
{
    public abstract string Name { get; }

    /// <summary>Whether the function accepts exactly <paramref name="n"/> positional arguments (for map/select checks).</summary>
    public abstract bool Accepts(int n);

    /// <summary>Short description for messages ("function 'f(x, y)'").</summary>
    public abstract string Describe();
}

/// <summary>A variable scope: a module (file), a function call or a comprehension.</summary>
public sealed class Scope(Scope? parent, string kind)
{
    public Dictionary<string, object> Vars { get; } = new(StringComparer.Ordinal);
    public Scope? Parent { get; } = parent;
    /// <summary>"builtins", "module", "function", "lambda" or "comprehension".</summary>
    public string Kind { get; } = kind;

    public bool TryLookup(string name, out object value)
    {
        for (var s = this; s is not null; s = s.Parent)
            if (s.Vars.TryGetValue(name, out value!)) return true;
        value = null!;
        return false;
    }

    public IEnumerable<string> VisibleNames()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var s = this; s is not null; s = s.Parent)
            foreach (var k in s.Vars.Keys)
                if (seen.Add(k)) yield return k;
    }
}

public sealed class UserFunction(DefStmt def, Scope closure, SourceFile file) : Callable
{
    public DefStmt Def { get; } = def;
    public Scope Closure { get; } = closure;
    public SourceFile File { get; } = file;
    /// <summary>Parameter defaults, evaluated where the function was defined (null = none).</summary>
    public object?[] Defaults { get; init; } = [];
    public override string Name => Def.Name;

    public override bool Accepts(int n) => n <= Def.Params.Count && n >= Def.Params.Count(p => p.Default is null);

    public override string Describe() => $"function {Def.Name}({string.Join(", ", Def.Params.Select(p => p.Name))})";
}

public sealed class LambdaFunction(LambdaExpr lambda, Scope closure) : Callable
{
    public LambdaExpr Lambda { get; } = lambda;
    public Scope Closure { get; } = closure;
    /// <summary>Parameter defaults, evaluated where the lambda was made (null = none).</summary>
    public object?[] Defaults { get; init; } = [];
    public override string Name => "<lambda>";

    public override bool Accepts(int n) => n <= Lambda.Params.Count && n >= Lambda.Params.Count(p => p.Default is null);

    public override string Describe() => $"lambda {string.Join(", ", Lambda.Params.Select(p => p.Name))}: ...";

    /// <summary>The body's source, e.g. <c>x + 1</c> (Map/SequenceMap descriptions).</summary>
    public string BodySource => Lambda.Body.Source;
}

/// <summary>A built-in function. <see cref="Arity"/> null = variable.</summary>
public sealed class BuiltinFunction(string name, int? arity, Func<Interpreter.CallInfo, object> body, string signature) : Callable
{
    public override string Name { get; } = name;
    public int? Arity { get; } = arity;
    public Func<Interpreter.CallInfo, object> Body { get; } = body;
    public string Signature { get; } = signature;
    /// <summary>For Python's type functions (int, str, ...): the isinstance test.</summary>
    public Func<object, bool>? TypeTest { get; init; }

    public override bool Accepts(int n) => Arity is null || Arity == n;
    public override string Describe() => $"built-in {Signature}";
}

/// <summary>A method bound to its receiver (<c>"ab".upper</c>, <c>xs.append</c>).</summary>
public sealed class BoundMethod(object target, string name) : Callable
{
    public object Target { get; } = target;
    public override string Name { get; } = name;
    public override bool Accepts(int n) => true;
    public override string Describe() => $"method .{Name}()";
}

/// <summary>Display and type names of runtime objects, Python style.</summary>
public static class Runtime
{
    public static string TypeName(object o) => o switch
    {
        Value v => v.TypeName,
        SOp => "SOp",
        Selector => "selector",
        RaspList l => l.IsTuple ? "tuple" : "list",
        RaspDict => "dict",
        ComparisonValue => "comparison",
        RaspNamespace => "module",
        Callable => "function",
        _ => o.GetType().Name,
    };

    /// <summary>Python's <c>repr</c>.</summary>
    public static string Repr(object o) => o switch
    {
        Value v => v.Repr(),
        RaspList l => l.IsTuple
            ? (l.Items.Count == 1 ? $"({Repr(l.Items[0])},)" : "(" + string.Join(", ", l.Items.Select(Repr)) + ")")
            : "[" + string.Join(", ", l.Items.Select(Repr)) + "]",
        RaspDict d => "{" + string.Join(", ", d.Keys.Select(k => k.Repr() + ": " + Repr(d.Items[k]))) + "}",
        ComparisonValue c => c.Comparison.Symbol(),
        RaspExpr e => e.Name,
        Callable f => $"<{f.Describe()}>",
        _ => o.ToString() ?? "",
    };

    /// <summary>Python's <c>str</c>.</summary>
    public static string Str(object o) => o is Value v ? v.ToString() : Repr(o);

    /// <summary>The type name with its article: "an int", "a str", "an SOp".</summary>
    public static string A(object o)
    {
        string t = TypeName(o);
        return ("aeiouAEIOUS".Contains(t[0]) && t != "str" ? "an " : "a ") + t;
    }

    public static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    internal static string Join(IEnumerable<string> xs)
    {
        var list = xs.ToList();
        if (list.Count <= 1) return string.Concat(list);
        var sb = new StringBuilder();
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0) sb.Append(i == list.Count - 1 ? " or " : ", ");
            sb.Append(list[i]);
        }
        return sb.ToString();
    }
}
