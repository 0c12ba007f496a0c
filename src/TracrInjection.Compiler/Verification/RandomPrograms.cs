using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;
using R = TracrInjection.Rasp.Expressions.Rasp;

namespace TracrInjection.Compiler.Verification;

/// <summary>One generated program with the settings it is compiled with.</summary>
public sealed record RandomProgram(SOp Program, IReadOnlyList<Value> Vocab, int MaxSeqLen, bool Causal, string Text, int Seed)
{
    public CompilerOptions Options(bool fix) => new() { Vocab = Vocab, MaxSeqLen = MaxSeqLen, Causal = Causal, FixTracrBugs = fix };
}

/// <summary>
/// A seeded generator of tracr-compilable-looking RASP programs (issue 14): Map (categorical, categorical →
/// numerical, numerical → categorical/numerical), SequenceMap, Select with every comparison, categorical and
/// numerical Aggregate, SelectorWidth (both encodings), selector_and/or/not (on Selects that merge), named and
/// unnamed expressions, causal and not, vocabularies of 2–5 int or str tokens, max_seq_len 3–8. Deterministic
/// for a seed; <see cref="RandomProgram.Text"/> is a readable description for failure messages.
/// </summary>
public static class RandomPrograms
{
    private enum Kind { Int, Str, Num }

    private sealed record Node(SOp Sop, Kind Kind, bool Binary, string Text);

    public static RandomProgram Generate(int seed)
    {
        var rng = new Random(seed);
        // tracr needs tokens in a program: draw again (same stream) until the program reads them.
        for (int attempt = 0; ; attempt++)
        {
            var p = Draw(rng, seed);
            if (attempt >= 50 || ReadsTokens(p.Program)) return p;
        }
    }

    private static bool ReadsTokens(RaspExpr e) => e is TokensType || e.Children.Any(ReadsTokens);

    private static RandomProgram Draw(Random rng, int seed)
    {
        bool strTokens = rng.Next(2) == 0;
        int vocabSize = rng.Next(2, 6);
        var vocab = strTokens
            ? Enumerable.Range(0, vocabSize).Select(i => Value.Str(((char)('a' + i)).ToString())).ToArray()
            : Enumerable.Range(1, vocabSize).Select(i => Value.Int(i)).ToArray();
        int maxLen = rng.Next(3, 9);
        bool causal = rng.Next(3) == 0;
        var lines = new List<string>();
        int counter = 0;
        using (IdScope.Begin())
        {
            var pool = new List<Node>
            {
                new(R.Tokens, strTokens ? Kind.Str : Kind.Int, false, "tokens"),
                new(R.Indices, Kind.Int, false, "indices"),
            };
            int steps = rng.Next(2, 7);
            Node last = pool[0];
            for (int s = 0; s < steps; s++)
            {
                var n = Step(rng, pool, vocab, maxLen);
                if (n is null) continue;
                string name = $"v{++counter}";
                var sop = rng.Next(3) > 0 ? n.Sop.Named(name) : n.Sop;
                n = n with { Sop = sop };
                lines.Add($"{(sop.Name == name ? name : "_")} = {n.Text}");
                pool.Add(n with { Text = sop.Name == name ? name : $"({n.Text})" });
                last = n;
            }
            if (last.Sop is TokensType)
            {
                var m = Map(rng, pool[0]);
                lines.Add($"_ = {m.Text}");
                last = m;
            }
            string text = $"seed {seed}: vocab {{{string.Join(", ", vocab.Select(v => v.Repr()))}}}, max_seq_len {maxLen}, causal {causal}; " +
                          string.Join("; ", lines);
            return new RandomProgram(last.Sop, vocab, maxLen, causal, text, seed);
        }
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> xs) => xs[rng.Next(xs.Count)];

    private static Node? Step(Random rng, List<Node> pool, Value[] vocab, int maxLen)
    {
        var cats = pool.Where(n => n.Kind != Kind.Num).ToList();
        var nums = pool.Where(n => n.Kind == Kind.Num).ToList();
        switch (rng.Next(8))
        {
            case 0: case 1: return Map(rng, Pick(rng, cats));
            case 2:
                if (nums.Count == 0) return NumericalOf(rng, Pick(rng, cats), vocab);
                return MapNumerical(rng, Pick(rng, nums));
            case 3:
            {
                var a = Pick(rng, cats);
                var b = Pick(rng, cats);
                if (a.Kind == Kind.Int && b.Kind == Kind.Int && rng.Next(2) == 0)
                    return new Node(R.SequenceMap((x, y) => Py.Add(x, y), a.Sop, b.Sop, "x + y"), Kind.Int, false, $"sequence_map(x + y, {a.Text}, {b.Text})");
                return new Node(R.SequenceMap((x, y) => Value.Str(x.ToString() + y.ToString()), a.Sop, b.Sop, "str(x) + str(y)"), Kind.Str, false,
                    $"sequence_map(str(x) + str(y), {a.Text}, {b.Text})");
            }
            case 4:
            {
                var (sel, st) = Selector(rng, cats);
                var sop = Pick(rng, cats);
                return new Node(R.Aggregate(sel, sop.Sop), sop.Kind, false, $"aggregate({st}, {sop.Text})");
            }
            case 5:
            {
                var binary = nums.Where(n => n.Binary).ToList();
                var src = binary.Count > 0 && rng.Next(2) == 0 ? Pick(rng, binary) : NumericalOf(rng, Pick(rng, cats), vocab);
                var (sel, st) = Selector(rng, cats);
                return new Node(R.Numerical(R.Aggregate(sel, src.Sop, Value.Int(0))), Kind.Num, false,
                    $"numerical(aggregate({st}, {src.Text}, default=0))");
            }
            default:
            {
                var (sel, st) = Selector(rng, cats);
                var w = R.SelectorWidth(sel);
                return rng.Next(4) == 0
                    ? new Node(R.Numerical(w), Kind.Num, false, $"numerical(selector_width({st}))")
                    : new Node(w, Kind.Int, false, $"selector_width({st})");
            }
        }
    }

    /// <summary>A binary numerical SOp: numerical(map(1 if x == t else 0, sop)).</summary>
    private static Node NumericalOf(Random rng, Node src, Value[] vocab)
    {
        Value t = src.Kind == Kind.Str && src.Sop is TokensType ? Pick(rng, vocab) : src.Kind == Kind.Str ? Pick(rng, vocab) : Value.Int(rng.Next(0, 3));
        return new Node(R.Numerical(R.Map(x => Value.Int(x.Equals(t) ? 1 : 0), src.Sop, $"1 if x == {t.Repr()} else 0")), Kind.Num, true,
            $"numerical(map(1 if x == {t.Repr()} else 0, {src.Text}))");
    }

    private static Node Map(Random rng, Node src)
    {
        if (src.Kind == Kind.Str)
        {
            return rng.Next(2) == 0
                ? new Node(R.Map(x => Value.Int(x.ToString() == "a" ? 1 : 0), src.Sop, "1 if x == 'a' else 0"), Kind.Int, false, $"map(1 if x == 'a' else 0, {src.Text})")
                : new Node(R.Map(x => Value.Int(x.ToString().Length), src.Sop, "len(x)"), Kind.Int, false, $"map(len(x), {src.Text})");
        }
        switch (rng.Next(6))
        {
            case 0: return new Node(R.Map(x => Py.Add(x, Value.Int(1)), src.Sop, "x + 1"), Kind.Int, false, $"map(x + 1, {src.Text})");
            case 1: return new Node(R.Map(x => Py.Mod(x, Value.Int(3)), src.Sop, "x % 3"), Kind.Int, false, $"map(x % 3, {src.Text})");
            case 2: return new Node(R.Map(x => Py.Mod(Py.Add(x, Value.Int(3)), Value.Int(4)), src.Sop, "(x + 3) % 4"), Kind.Int, false, $"map((x + 3) % 4, {src.Text})");
            case 3: return new Node(R.Map(x => Value.Int(Py.Gt(x, Value.Int(1)).IsTruthy ? 1 : 0), src.Sop, "1 if x > 1 else 0"), Kind.Int, false, $"map(1 if x > 1 else 0, {src.Text})");
            case 4: return new Node(R.Numerical(R.Map(x => Py.Sub(x, Value.Int(1)), src.Sop, "x - 1")), Kind.Num, false, $"numerical(map(x - 1, {src.Text}))");
            default: return new Node(R.Map(x => Value.Str("s" + x.ToString()), src.Sop, "'s' + str(x)"), Kind.Str, false, $"map('s' + str(x), {src.Text})");
        }
    }

    private static Node MapNumerical(Random rng, Node src) => rng.Next(3) switch
    {
        0 => new Node(R.Map(x => Value.Int(x.AsDouble > 0 ? 1 : 0), src.Sop, "1 if x > 0 else 0"), Kind.Int, false, $"map(1 if x > 0 else 0, {src.Text})"),
        1 => new Node(R.Numerical(R.Map(x => Py.Mul(x, Value.Int(2)), src.Sop, "2 * x")), Kind.Num, false, $"numerical(map(2 * x, {src.Text}))"),
        _ => new Node(R.Numerical(R.Map(x => Value.Int(x.AsDouble > 0.5 ? 1 : 0), src.Sop, "1 if x > 0.5 else 0")), Kind.Num, true,
            $"numerical(map(1 if x > 0.5 else 0, {src.Text}))"),
    };

    private static readonly Comparison[] Ordered = [Comparison.LT, Comparison.LEQ, Comparison.GT, Comparison.GEQ];
    private static readonly Comparison[] Any = [Comparison.EQ, Comparison.NEQ, Comparison.TRUE, Comparison.FALSE, Comparison.EQ, Comparison.EQ];

    private static (Selector, string) Selector(Random rng, List<Node> cats)
    {
        var keys = Pick(rng, cats);
        var sameKind = cats.Where(c => c.Kind == keys.Kind).ToList();
        bool ordered = rng.Next(2) == 0;
        var queries = ordered ? Pick(rng, sameKind) : Pick(rng, cats);
        var pool = ordered ? Ordered.Concat(Any).ToArray() : Any;
        var c1 = Pick(rng, pool);
        Selector sel = R.Select(keys.Sop, queries.Sop, c1);
        string text = $"select({keys.Text}, {queries.Text}, {c1.Symbol()})";
        switch (rng.Next(6))
        {
            case 0:
                sel = R.SelectorNot(sel);
                text = $"selector_not({text})";
                break;
            case 1:
            case 2:
            {
                var c2 = Pick(rng, pool);
                var other = R.Select(keys.Sop, queries.Sop, c2);
                bool and = rng.Next(2) == 0;
                sel = and ? R.SelectorAnd(sel, other) : R.SelectorOr(sel, other);
                text = $"selector_{(and ? "and" : "or")}({text}, select(.., .., {c2.Symbol()}))";
                break;
            }
        }
        if (rng.Next(3) == 0) sel = sel.Named($"s{rng.Next(1000)}");
        return (sel, text);
    }
}
