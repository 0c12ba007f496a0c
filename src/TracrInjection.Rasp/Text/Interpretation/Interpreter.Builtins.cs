using System.Globalization;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

// The interpreter's built-in functions: tracr's RASP primitives (map, select, aggregate, ...) and the Python
// built-ins programs use (len, range, sorted, ...), with argument binding shared by all of them.
public sealed partial class Interpreter
{
    /// <summary>Positional and keyword arguments matched to parameter names.</summary>
    private sealed class Bound(object?[] values, SourcePos[] positions)
    {
        public object? this[int i] => values[i];
        public SourcePos Pos(int i) => positions[i];
    }

    private static Bound Bind(CallInfo ci, string name, string[] ps, int required, string signature)
    {
        var values = new object?[ps.Length];
        var pos = new SourcePos[ps.Length];
        for (int i = 0; i < ps.Length; i++) pos[i] = ci.CallPos;
        if (ci.Args.Count > ps.Length)
            throw Err(ci.ArgPos[ps.Length], $"{name}() takes at most {Runtime.Plural(ps.Length, "argument")}: {signature}");
        for (int i = 0; i < ci.Args.Count; i++) { values[i] = ci.Args[i]; pos[i] = ci.ArgPos[i]; }
        foreach (var (k, (v, p)) in ci.Kwargs)
        {
            int idx = Array.IndexOf(ps, k);
            if (idx < 0) throw Err(p, $"{name}() has no parameter '{k}': {signature}");
            if (values[idx] is not null) throw Err(p, $"{name}() got two values for '{k}'");
            values[idx] = v;
            pos[idx] = p;
        }
        for (int i = 0; i < required; i++)
            if (values[i] is null) throw Err(ci.CallPos, $"{name}() is missing its argument '{ps[i]}': {signature}");
        return new Bound(values, pos);
    }

    private static SOp ExpectSOp(object? o, SourcePos pos, string what)
    {
        if (o is SOp s) return s;
        string hint = o switch
        {
            Value => " (tracr has no constant sequences; build one from tokens, e.g. map(lambda x: 1, tokens))",
            Selector => " (a selector is not a sequence; aggregate or selector_width turn it into one)",
            _ => "",
        };
        throw Err(pos, $"{what} must be an SOp, not {Runtime.A(o!)}{hint}");
    }

    private static Selector ExpectSelector(object? o, SourcePos pos, string what)
    {
        if (o is Selector s) return s;
        string hint = o is SOp ? " (make one with select(keys, queries, predicate))" : "";
        throw Err(pos, $"{what} must be a selector, not {Runtime.A(o!)}{hint}");
    }

    private static Value ExpectValue(object? o, SourcePos pos, string what)
    {
        if (o is Value v) return v;
        throw Err(pos, $"{what} must be a plain value, not {Runtime.A(o!)}");
    }

    private IEnumerable<BuiltinFunction> MakeBuiltins()
    {
        // ---- RASP ----
        yield return new BuiltinFunction("map", null, MapBuiltin, "map(f, sop, simplify=True)");
        yield return new BuiltinFunction("sequence_map", null, ci => SequenceMapBuiltin(ci, "sequence_map"), "sequence_map(f, sop1, sop2, ...)");
        yield return new BuiltinFunction("zipmap", null, ci => SequenceMapBuiltin(ci, "zipmap"), "zipmap(f, sop1, sop2, ...)");
        yield return new BuiltinFunction("linear_sequence_map", null, ci =>
        {
            const string sig = "linear_sequence_map(fst, snd, fst_fac, snd_fac)";
            var b = Bind(ci, "linear_sequence_map", ["fst", "snd", "fst_fac", "snd_fac"], 4, sig);
            var fst = ExpectSOp(b[0], b.Pos(0), "linear_sequence_map's first argument");
            var snd = ExpectSOp(b[1], b.Pos(1), "linear_sequence_map's second argument");
            var fa = ExpectValue(b[2], b.Pos(2), "fst_fac");
            var fb = ExpectValue(b[3], b.Pos(3), "snd_fac");
            if (!fa.IsNumber) throw Err(b.Pos(2), $"fst_fac must be a number, not {fa.TypeName}");
            if (!fb.IsNumber) throw Err(b.Pos(3), $"snd_fac must be a number, not {fb.TypeName}");
            return new LinearSequenceMap(fst, snd, fa, fb);
        }, "linear_sequence_map(fst, snd, fst_fac, snd_fac)");
        yield return new BuiltinFunction("select", null, SelectBuiltin, "select(keys, queries, predicate)");
        yield return new BuiltinFunction("aggregate", null, ci =>
        {
            const string sig = "aggregate(selector, sop, default=None)";
            var b = Bind(ci, "aggregate", ["selector", "sop", "default"], 2, sig);
            var sel = ExpectSelector(b[0], b.Pos(0), "aggregate's first argument");
            var sop = ExpectSOp(b[1], b.Pos(1), "aggregate's second argument");
            var def = b[2] is null ? Value.None : ExpectValue(b[2], b.Pos(2), "aggregate's default");
            if (def.IsTuple) throw Err(b.Pos(2), "aggregate's default must be None, a str, float, bool or int (tracr's rule), not a tuple");
            return Rasp.Aggregate(sel, sop, def);
        }, "aggregate(selector, sop, default=None)");
        yield return new BuiltinFunction("selector_width", 1, ci =>
            Rasp.SelectorWidth(ExpectSelector(ci.Args[0], ci.ArgPos[0], "selector_width's argument")), "selector_width(selector)");
        yield return new BuiltinFunction("numerical", 1, ci => Rasp.Numerical(ExpectEncodable(ci, "numerical")), "numerical(sop)");
        yield return new BuiltinFunction("categorical", 1, ci => Rasp.Categorical(ExpectEncodable(ci, "categorical")), "categorical(sop)");
        yield return new BuiltinFunction("selector_and", 2, ci => Rasp.SelectorAnd(
            ExpectSelector(ci.Args[0], ci.ArgPos[0], "selector_and's first argument"),
            ExpectSelector(ci.Args[1], ci.ArgPos[1], "selector_and's second argument")), "selector_and(a, b)");
        yield return new BuiltinFunction("selector_or", 2, ci => Rasp.SelectorOr(
            ExpectSelector(ci.Args[0], ci.ArgPos[0], "selector_or's first argument"),
            ExpectSelector(ci.Args[1], ci.ArgPos[1], "selector_or's second argument")), "selector_or(a, b)");
        yield return new BuiltinFunction("selector_not", 1, ci => Rasp.SelectorNot(
            ExpectSelector(ci.Args[0], ci.ArgPos[0], "selector_not's argument")), "selector_not(a)");
        yield return new BuiltinFunction("error", 1, ci =>
            throw Err(ci.CallPos, ci.Args[0] is Value { IsString: true } m ? m.AsString : Runtime.Str(ci.Args[0])), "error(message)");
        yield return ElementwiseValueFunction("indicator", 1, v => Value.Int(v[0].IsTruthy ? 1 : 0), "indicator(x)");

        // ---- Python ----
        yield return ElementwiseValueFunction("int", 1, v => Py.ToInt(v[0]), "int(x)", o => o is Value { Kind: ValueKind.Int or ValueKind.Bool });
        yield return ElementwiseValueFunction("float", 1, v => Py.ToFloat(v[0]), "float(x)", o => o is Value { Kind: ValueKind.Float });
        yield return new BuiltinFunction("str", 1, ci => ci.Args[0] is SOp
            ? Elementwise(ci.Args, v => Value.Str(v[0].ToString()), "str(x)", ci.CallPos)
            : Value.Str(Runtime.Str(ci.Args[0])), "str(x)") { TypeTest = o => o is Value { IsString: true } };
        yield return new BuiltinFunction("bool", 1, ci => ci.Args[0] is SOp
            ? Elementwise(ci.Args, v => Value.Bool(v[0].IsTruthy), "bool(x)", ci.CallPos)
            : Value.Bool(Truthy(ci.Args[0], ci.ArgPos[0], "bool()'s argument")), "bool(x)") { TypeTest = o => o is Value { Kind: ValueKind.Bool } };
        yield return new BuiltinFunction("tuple", 1, ci => MakeTuple(Iterate(ci.Args[0], ci.ArgPos[0], "make a tuple of")), "tuple(xs)")
            { TypeTest = o => o is Value { IsTuple: true } or RaspList { IsTuple: true } };
        yield return new BuiltinFunction("list", 1, ci => new RaspList(Iterate(ci.Args[0], ci.ArgPos[0], "make a list of")), "list(xs)")
            { TypeTest = o => o is RaspList { IsTuple: false } };
        yield return ElementwiseValueFunction("abs", 1, v => Py.Abs(v[0]), "abs(x)");
        yield return new BuiltinFunction("round", null, ci =>
        {
            var b = Bind(ci, "round", ["x", "ndigits"], 1, "round(x, ndigits=None)");
            if (b[1] is null) return ElementwiseOrCall(ci, [b[0]!], v => Py.Round(v[0]), "round(x)");
            var nd = ExpectValue(b[1], b.Pos(1), "ndigits");
            return ElementwiseOrCall(ci, [b[0]!], v => RoundDigits(v[0], nd), $"round(x, {nd.Repr()})");
        }, "round(x, ndigits=None)");
        yield return new BuiltinFunction("len", 1, ci => ci.Args[0] is SOp
            ? Elementwise(ci.Args, v => Value.Int(LengthOf(v[0])), "len(x)", ci.CallPos)
            : Guard(ci.CallPos, ci.Context, () => Value.Int(LengthOf(ci.Args[0]))), "len(x)");
        yield return new BuiltinFunction("min", null, ci => MinMax(ci, "min"), "min(a, b, ...) or min(xs)");
        yield return new BuiltinFunction("max", null, ci => MinMax(ci, "max"), "max(a, b, ...) or max(xs)");
        yield return new BuiltinFunction("sum", null, ci =>
        {
            var b = Bind(ci, "sum", ["xs", "start"], 1, "sum(xs, start=0)");
            Value acc = b[1] is null ? Value.Int(0) : ExpectValue(b[1], b.Pos(1), "sum's start");
            foreach (var x in Iterate(b[0]!, b.Pos(0), "sum"))
            {
                var xv = ExpectValue(x, b.Pos(0), "an item of sum's argument");
                acc = Guard(ci.CallPos, ci.Context, () => Py.Add(acc, xv));
            }
            return acc;
        }, "sum(xs, start=0)");
        yield return new BuiltinFunction("range", null, RangeBuiltin, "range(stop) or range(start, stop, step=1)");
        yield return new BuiltinFunction("sorted", null, ci =>
        {
            var b = Bind(ci, "sorted", ["xs", "reverse"], 1, "sorted(xs, reverse=False)");
            var items = Iterate(b[0]!, b.Pos(0), "sort");
            var values = items.Select(i => ExpectValue(i, b.Pos(0), "an item of sorted's argument")).ToList();
            var sorted = Guard(ci.CallPos, ci.Context, () => StableSort(values));
            if (b[1] is Value r && r.IsTruthy) { sorted = StableSort(values, descending: true); }
            return new RaspList(sorted.Cast<object>().ToList());
        }, "sorted(xs, reverse=False)");
        yield return new BuiltinFunction("reversed", 1, ci =>
        {
            var items = Iterate(ci.Args[0], ci.ArgPos[0], "reverse");
            items.Reverse();
            return new RaspList(items);
        }, "reversed(xs)");
        yield return new BuiltinFunction("zip", null, ci =>
        {
            var lists = ci.Args.Select((a, i) => Iterate(a, ci.ArgPos[i], "zip")).ToList();
            int n = lists.Count == 0 ? 0 : lists.Min(l => l.Count);
            return new RaspList(Enumerable.Range(0, n).Select(i => MakeTuple(lists.Select(l => l[i]).ToList())).ToList());
        }, "zip(xs, ys, ...)");
        yield return new BuiltinFunction("enumerate", null, ci =>
        {
            var b = Bind(ci, "enumerate", ["xs", "start"], 1, "enumerate(xs, start=0)");
            long start = b[1] is Value { IsIntegral: true } sv ? sv.AsLong : 0;
            var items = Iterate(b[0]!, b.Pos(0), "enumerate");
            return new RaspList(items.Select((x, i) => MakeTuple([Value.Int(start + i), x])).ToList());
        }, "enumerate(xs, start=0)");
        yield return new BuiltinFunction("isinstance", 2, ci =>
        {
            var types = ci.Args[1] is RaspList { IsTuple: true } tl ? tl.Items : [ci.Args[1]];
            foreach (var t in types)
                if (t is not BuiltinFunction { TypeTest: not null })
                    throw Err(ci.ArgPos[1], "isinstance's second argument must be int, float, str, bool, tuple or list (or a tuple of them)");
            if (ci.Args[0] is SOp)
                return Elementwise([ci.Args[0]], v => Value.Bool(types.Any(t => ((BuiltinFunction)t).TypeTest!(v[0]))), "isinstance(x, ...)", ci.CallPos);
            return Value.Bool(types.Any(t => ((BuiltinFunction)t).TypeTest!(ci.Args[0])));
        }, "isinstance(x, type)");
        yield return new BuiltinFunction("any", 1, ci => Value.Bool(Iterate(ci.Args[0], ci.ArgPos[0], "loop over").Any(x => Truthy(x, ci.ArgPos[0], "an item of any()"))), "any(xs)");
        yield return new BuiltinFunction("all", 1, ci => Value.Bool(Iterate(ci.Args[0], ci.ArgPos[0], "loop over").All(x => Truthy(x, ci.ArgPos[0], "an item of all()"))), "all(xs)");
    }

    private static SOp ExpectEncodable(CallInfo ci, string name)
    {
        if (ci.Args[0] is Selector) throw Err(ci.ArgPos[0], $"{name}() applies to SOps; a selector has no encoding");
        return ExpectSOp(ci.Args[0], ci.ArgPos[0], $"{name}()'s argument");
    }

    /// <summary>A function of plain values that, given SOps, applies position by position.</summary>
    private static BuiltinFunction ElementwiseValueFunction(string name, int arity, Func<Value[], Value> f, string signature,
        Func<object, bool>? typeTest = null) =>
        new(name, arity, ci => ElementwiseOrCall(ci, ci.Args, f, signature), signature) { TypeTest = typeTest };

    private static object ElementwiseOrCall(CallInfo ci, IReadOnlyList<object> args, Func<Value[], Value> f, string description)
    {
        for (int i = 0; i < args.Count; i++)
            if (args[i] is not (Value or SOp))
                throw Err(i < ci.ArgPos.Count ? ci.ArgPos[i] : ci.CallPos, $"{description} needs plain values or SOps, not {Runtime.A(args[i])}");
        if (args.Any(a => a is SOp)) return Elementwise(args, f, description, ci.CallPos);
        return Guard(ci.CallPos, ci.Context, () => f(args.Cast<Value>().ToArray()));
    }

    private static Value RoundDigits(Value x, Value nd)
    {
        if (!nd.IsIntegral) throw new PyTypeError($"'{nd.TypeName}' object cannot be interpreted as an integer");
        if (x.IsIntegral) return Value.Int(x.AsLong);
        double d = x.AsDouble;
        int n = (int)Math.Clamp(nd.AsLong, -28, 28);
        if (double.IsNaN(d) || double.IsInfinity(d)) return x;
        // Python rounds the exact binary value (2.675 is 2.67499999...): round its 17 significant digits in decimal.
        if (Math.Abs(d) < 1e15 && decimal.TryParse(d.ToString("G17", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
        {
            if (n >= 0) return Value.Float((double)Math.Round(m, Math.Min(n, 27), MidpointRounding.ToEven));
            decimal p = (decimal)Math.Pow(10, -n);
            return Value.Float((double)(Math.Round(m / p, MidpointRounding.ToEven) * p));
        }
        return Value.Float(n >= 0 ? Math.Round(d, Math.Min(n, 15), MidpointRounding.ToEven) : Math.Round(d / Math.Pow(10, -n), MidpointRounding.ToEven) * Math.Pow(10, -n));
    }

    private static long LengthOf(object o) => o switch
    {
        Value { IsString: true } s => s.AsString.Length,
        Value { IsTuple: true } t => t.Items.Count,
        RaspList l => l.Items.Count,
        RaspDict d => d.Keys.Count,
        _ => throw new PyTypeError($"object of type '{Runtime.TypeName(o)}' has no len()"),
    };

    private static object MinMax(CallInfo ci, string name)
    {
        if (ci.Kwargs.Count > 0) throw Err(ci.Kwargs.First().Value.Pos, $"{name}() takes no keyword arguments here");
        if (ci.Args.Count == 0) throw Err(ci.CallPos, $"{name}() needs at least one argument");
        Func<Value, Value, Value> pick = name == "min" ? Py.Min : Py.Max;
        if (ci.Args.Count == 1)
        {
            var items = Iterate(ci.Args[0], ci.ArgPos[0], name);
            if (items.Count == 0) throw Err(ci.ArgPos[0], $"ValueError: {name}() arg is an empty sequence");
            var vals = items.Select(i => ExpectValue(i, ci.ArgPos[0], $"an item of {name}()'s argument")).ToList();
            return Guard(ci.CallPos, ci.Context, () => vals.Skip(1).Aggregate(vals[0], pick));
        }
        return ElementwiseOrCall(ci, ci.Args, v => v.Skip(1).Aggregate(v[0], pick), $"{name}(x, y)");
    }

    private static List<Value> StableSort(List<Value> values, bool descending = false)
    {
        var list = values.ToList();
        // insertion sort with Python's '<' (stable; lists here are small)
        for (int i = 1; i < list.Count; i++)
        {
            var x = list[i];
            int j = i - 1;
            while (j >= 0 && (descending ? Py.LessThan(list[j], x) : Py.LessThan(x, list[j])))
            {
                list[j + 1] = list[j];
                j--;
            }
            list[j + 1] = x;
        }
        return list;
    }

    private static object RangeBuiltin(CallInfo ci)
    {
        if (ci.Kwargs.Count > 0) throw Err(ci.Kwargs.First().Value.Pos, "range() takes no keyword arguments");
        if (ci.Args.Count is < 1 or > 3) throw Err(ci.CallPos, "range() takes 1 to 3 integer arguments: range(stop) or range(start, stop, step=1)");
        var xs = new long[ci.Args.Count];
        for (int i = 0; i < xs.Length; i++)
        {
            if (ci.Args[i] is not Value { IsIntegral: true } v)
                throw Err(ci.ArgPos[i], $"range() needs integers, not {Runtime.A(ci.Args[i])}");
            xs[i] = v.AsLong;
        }
        long start = xs.Length == 1 ? 0 : xs[0], stop = xs.Length == 1 ? xs[0] : xs[1], step = xs.Length == 3 ? xs[2] : 1;
        if (step == 0) throw Err(ci.ArgPos[2], "ValueError: range() step cannot be zero");
        var items = new List<object>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (items.Count >= 1_000_000) throw Err(ci.CallPos, "range() is too long (more than 1,000,000 items)");
            items.Add(Value.Int(i));
        }
        return new RaspList(items);
    }

    private object MapBuiltin(CallInfo ci)
    {
        const string sig = "map(f, sop, simplify=True)";
        var b = Bind(ci, "map", ["f", "sop", "simplify"], 2, sig);
        var sop = ExpectSOp(b[1], b.Pos(1), "map's second argument");
        bool simplify = true;
        if (b[2] is not null)
        {
            if (b[2] is not Value { Kind: ValueKind.Bool } sv) throw Err(b.Pos(2), "simplify must be True or False");
            simplify = sv.AsBool;
        }
        var f = AsValueFunction(b[0]!, 1, b.Pos(0), "map's function");
        return Rasp.Map(x => f([x]), sop, DescriptionOf(b[0]!, 1), simplify);
    }

    private object SequenceMapBuiltin(CallInfo ci, string name)
    {
        string sig = $"{name}(f, sop1, sop2, ...)";
        if (ci.Kwargs.Count > 0) throw Err(ci.Kwargs.First().Value.Pos, $"{name}() takes no keyword arguments: {sig}");
        if (ci.Args.Count < 3)
            throw Err(ci.CallPos, $"{name}() needs a function and at least two SOps: {sig} (for one SOp use map)");
        var sops = new SOp[ci.Args.Count - 1];
        for (int i = 1; i < ci.Args.Count; i++) sops[i - 1] = ExpectSOp(ci.Args[i], ci.ArgPos[i], $"{name}'s argument {i + 1}");
        var f = AsValueFunction(ci.Args[0], sops.Length, ci.ArgPos[0], $"{name}'s function");
        string desc = DescriptionOf(ci.Args[0], sops.Length);
        if (sops.Length == 2) return Rasp.SequenceMap((x, y) => f([x, y]), sops[0], sops[1], desc);
        // tracr's make_nary_sequencemap: tuples built by binary SequenceMaps, then one Map.
        return new Lib().MakeNarySequenceMap(xs => f(xs.ToArray()), desc, sops);
    }

    private object SelectBuiltin(CallInfo ci)
    {
        const string sig = "select(keys, queries, predicate)";
        var b = Bind(ci, "select", ["keys", "queries", "predicate"], 3, sig);
        var keys = ExpectSOp(b[0], b.Pos(0), "select's keys");
        var queries = ExpectSOp(b[1], b.Pos(1), "select's queries");
        switch (b[2])
        {
            case ComparisonValue cv:
                return Rasp.Select(keys, queries, cv.Comparison);
            case Value { Kind: ValueKind.Bool } bv:
                return Rasp.Select(keys, queries, bv.AsBool ? Comparison.TRUE : Comparison.FALSE);
            case Value { IsString: true } sv when sv.AsString is "==" or "!=" or "<" or "<=" or ">" or ">=" or "True" or "False":
                throw Err(b.Pos(2), $"write the comparison without quotes: select(keys, queries, {sv.AsString})");
            case Callable:
            {
                var f = AsValueFunction(b[2]!, 2, b.Pos(2), "select's predicate");
                return new Select(keys, queries, (k, q) => f([k, q]), DescriptionOf(b[2]!, 2));
            }
            default:
                throw Err(b.Pos(2), $"select's predicate must be a comparison (==, !=, <, <=, >, >=, True, False) " +
                                    $"or a function of (key, query), not {Runtime.A(b[2]!)}");
        }
    }
}
