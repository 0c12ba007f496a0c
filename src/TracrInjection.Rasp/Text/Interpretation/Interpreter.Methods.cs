using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's methods of values, lists and dicts (Python's, as far as RASP programs use them).
public sealed partial class Interpreter
{
    private object CallMethod(object target, string name, SourcePos namePos, CallInfo ci)
    {
        switch (target)
        {
            case SOp sop when name == "named":
                return sop.Named(NameArg(ci, namePos));
            case Selector sel when name == "named":
                return sel.Named(NameArg(ci, namePos));
            case SOp sop when name is "numerical" or "categorical":
                if (ci.Args.Count > 0) throw Err(ci.ArgPos[0], $".{name}() takes no arguments");
                return name == "numerical" ? Rasp.Numerical(sop) : Rasp.Categorical(sop);
            case SOp sop:
                if (!StringMethods.Contains(name) && !TupleMethods.Contains(name))
                    throw Err(namePos, $"an SOp has no method '.{name}' (SOp methods: .named(\"...\"), .numerical(), .categorical(); " +
                                       "string methods such as .isdigit() apply at every position)");
                for (int i = 0; i < ci.Args.Count; i++)
                    if (ci.Args[i] is not Value) throw Err(ci.ArgPos[i], $"arguments of .{name}() on an SOp must be plain values");
                var margs = ci.Args.Cast<Value>().ToArray();
                return Rasp.Map(x => RunValueFunction(namePos, () => ValueMethod(x, name, margs)), sop, $"x.{name}(...)");
            case Selector:
                throw Err(namePos, $"a selector has no method '.{name}' (only .named(\"...\"))");
            case Value v:
            {
                for (int i = 0; i < ci.Args.Count; i++)
                    if (ci.Args[i] is not Value) throw Err(ci.ArgPos[i], $"arguments of .{name}() must be plain values");
                var vargs = ci.Args.Cast<Value>().ToArray();
                return Guard(namePos, ci.Context, () => ValueMethod(v, name, vargs));
            }
            case RaspList l:
                return ListMethod(l, name, namePos, ci);
            case RaspDict d:
                return DictMethod(d, name, namePos, ci);
            default:
                throw Err(namePos, $"{Runtime.A(target)} has no method '.{name}'");
        }
    }

    private static string NameArg(CallInfo ci, SourcePos namePos)
    {
        if (ci.Args.Count != 1 || ci.Kwargs.Count > 0) throw Err(ci.CallPos, ".named() takes one argument, the name");
        if (ci.Args[0] is not Value { IsString: true } s) throw Err(ci.ArgPos[0], $"a name must be a string, not {Runtime.A(ci.Args[0])}");
        if (s.AsString.Length == 0) throw Err(ci.ArgPos[0], "a name must not be empty");
        return s.AsString;
    }

    private static readonly HashSet<string> StringMethods =
    [
        "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "upper", "lower", "strip", "lstrip", "rstrip",
        "startswith", "endswith", "replace", "find", "count", "index", "split", "join", "zfill",
    ];

    private static readonly HashSet<string> TupleMethods = ["count", "index"];

    internal static Value ValueMethod(Value v, string name, Value[] a)
    {
        if (v.IsTuple && TupleMethods.Contains(name))
        {
            if (name == "count") return Value.Int(v.Items.Count(x => x.Equals(a[0])));
            int i = v.Items.ToList().FindIndex(x => x.Equals(a[0]));
            return i >= 0 ? Value.Int(i) : throw new PyValueError("tuple.index(x): x not in tuple");
        }
        if (!v.IsString || !StringMethods.Contains(name)) throw new PyTypeError($"'{v.TypeName}' object has no attribute '{name}'");
        string s = v.AsString;
        string Arg(int i) => i < a.Length && a[i].IsString ? a[i].AsString
            : throw new PyTypeError($"{name}() argument {i + 1} must be str, not {(i < a.Length ? a[i].TypeName : "missing")}");
        return name switch
        {
            "isdigit" => Value.Bool(s.Length > 0 && s.All(char.IsAsciiDigit)),
            "isalpha" => Value.Bool(s.Length > 0 && s.All(char.IsLetter)),
            "isalnum" => Value.Bool(s.Length > 0 && s.All(char.IsLetterOrDigit)),
            "isspace" => Value.Bool(s.Length > 0 && s.All(char.IsWhiteSpace)),
            "isupper" => Value.Bool(s.Any(char.IsLetter) && !s.Any(char.IsLower)),
            "islower" => Value.Bool(s.Any(char.IsLetter) && !s.Any(char.IsUpper)),
            "upper" => Value.Str(s.ToUpperInvariant()),
            "lower" => Value.Str(s.ToLowerInvariant()),
            "strip" => Value.Str(a.Length > 0 ? s.Trim(Arg(0).ToCharArray()) : s.Trim()),
            "lstrip" => Value.Str(a.Length > 0 ? s.TrimStart(Arg(0).ToCharArray()) : s.TrimStart()),
            "rstrip" => Value.Str(a.Length > 0 ? s.TrimEnd(Arg(0).ToCharArray()) : s.TrimEnd()),
            "startswith" => Value.Bool(s.StartsWith(Arg(0), StringComparison.Ordinal)),
            "endswith" => Value.Bool(s.EndsWith(Arg(0), StringComparison.Ordinal)),
            "replace" => Value.Str(Arg(0).Length == 0 ? s : s.Replace(Arg(0), Arg(1), StringComparison.Ordinal)),
            "find" => Value.Int(s.IndexOf(Arg(0), StringComparison.Ordinal)),
            "count" => Value.Int(Arg(0).Length == 0 ? s.Length + 1 : (s.Length - s.Replace(Arg(0), "", StringComparison.Ordinal).Length) / Arg(0).Length),
            "index" => s.IndexOf(Arg(0), StringComparison.Ordinal) is var i && i >= 0 ? Value.Int(i) : throw new PyValueError("substring not found"),
            "split" => Value.Tuple((a.Length > 0 ? s.Split(Arg(0)) : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Select(p => Value.Str(p)).ToArray()),
            "join" => a.Length == 1 && a[0].IsTuple
                ? Value.Str(string.Join(s, a[0].Items.Select(x => x.IsString ? x.AsString : throw new PyTypeError("join() needs strings"))))
                : throw new PyTypeError("join() takes a tuple of strings"),
            "zfill" => a.Length == 1 && a[0].IsIntegral ? Value.Str(s.PadLeft((int)a[0].AsLong, '0')) : throw new PyTypeError("zfill() takes an int"),
            _ => throw new PyTypeError($"'str' object has no attribute '{name}'"),
        };
    }

    private static object ListMethod(RaspList l, string name, SourcePos namePos, CallInfo ci)
    {
        if (l.IsTuple && name is not ("count" or "index")) throw Err(namePos, $"a tuple has no method '.{name}'");
        switch (name)
        {
            case "append":
                if (ci.Args.Count != 1) throw Err(ci.CallPos, "append() takes one argument");
                l.Items.Add(ci.Args[0]);
                return Value.None;
            case "extend":
                if (ci.Args.Count != 1) throw Err(ci.CallPos, "extend() takes one argument");
                l.Items.AddRange(Iterate(ci.Args[0], ci.ArgPos[0], "extend with"));
                return Value.None;
            case "pop":
            {
                if (l.Items.Count == 0) throw Err(namePos, "IndexError: pop from empty list");
                int i = l.Items.Count - 1;
                if (ci.Args.Count == 1)
                {
                    if (ci.Args[0] is not Value { IsIntegral: true } iv) throw Err(ci.ArgPos[0], "pop() takes an integer index");
                    i = (int)(iv.AsLong < 0 ? iv.AsLong + l.Items.Count : iv.AsLong);
                    if (i < 0 || i >= l.Items.Count) throw Err(ci.ArgPos[0], "IndexError: pop index out of range");
                }
                var item = l.Items[i];
                l.Items.RemoveAt(i);
                return item;
            }
            case "count":
                return Value.Int(l.Items.Count(x => ObjectEquals(x, ci.Args[0])));
            case "index":
            {
                int i = l.Items.FindIndex(x => ObjectEquals(x, ci.Args[0]));
                if (i < 0) throw Err(namePos, "ValueError: the item is not in the list");
                return Value.Int(i);
            }
            default:
                throw Err(namePos, $"a list has no method '.{name}' (list methods: append, extend, pop, count, index)");
        }
    }

    private static object DictMethod(RaspDict d, string name, SourcePos namePos, CallInfo ci)
    {
        switch (name)
        {
            case "get":
                if (ci.Args.Count is < 1 or > 2 || ci.Args[0] is not Value k) throw Err(ci.CallPos, "get() takes a plain-value key and an optional default");
                return d.Items.TryGetValue(k, out var v) ? v : ci.Args.Count == 2 ? ci.Args[1] : Value.None;
            case "keys": return new RaspList(d.Keys.Cast<object>().ToList());
            case "values": return new RaspList(d.Keys.Select(k => d.Items[k]).ToList());
            case "items": return new RaspList(d.Keys.Select(k => MakeTuple([k, d.Items[k]])).ToList());
            default: throw Err(namePos, $"a dict has no method '.{name}' (dict methods: get, keys, values, items)");
        }
    }
}
