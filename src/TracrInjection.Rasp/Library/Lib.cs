using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Library;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// tracr's example library (<c>tracr/compiler/lib.py</c>), function by function, with tracr's construction
/// order, names, annotation copies and Map-of-Map fusions, so that labels drawn breadth-first from a
/// program's output match tracr's exactly.
/// <para>
/// tracr's module holds one shared <c>length = make_length()</c> object used by <c>make_reverse</c> and
/// <c>make_shuffle_dyck</c>. Here it is <see cref="Length"/>, created lazily once per <see cref="Lib"/>
/// instance: one <see cref="Lib"/> per program corresponds to one fresh Python process (the golden data
/// were produced that way). Build programs inside <c>using (IdScope.Begin())</c> (see
/// <see cref="ProgramSpec.Build"/>) so that ids start at 1.
/// </para>
/// </summary>
public sealed class Lib
{
    private SOp? _length;

    /// <summary>tracr's module-level <c>lib.length</c>: one object, shared by every use in this instance.</summary>
    public SOp Length => _length ??= MakeLength();

    // ---------------------------------------------------------------------------------------------
    // Programs that work only under non-causal evaluation.

    /// <summary><c>make_length()</c>: SelectorWidth(Select(tokens, tokens, TRUE) "all_true_selector") "length".</summary>
    public SOp MakeLength()
    {
        var allTrueSelector = Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.TRUE).Named("all_true_selector");
        return Rasp.SelectorWidth(allTrueSelector).Named("length");
    }

    /// <summary><c>make_reverse(sop)</c>: out[i] = sop[n-1-i], using the shared <see cref="Length"/>.</summary>
    public SOp MakeReverse(SOp sop)
    {
        SOp oppIdx = (Length - Rasp.Indices).Named("opp_idx");
        oppIdx = (oppIdx - 1).Named("opp_idx-1");
        var reverseSelector = Rasp.Select(Rasp.Indices, oppIdx, Comparison.EQ).Named("reverse_selector");
        return Rasp.Aggregate(reverseSelector, sop).Named("reverse");
    }

    /// <summary>
    /// <c>make_pair_balance(sop, open_token, close_token)</c>: running fraction of open tokens minus running
    /// fraction of close tokens (numerical).
    /// </summary>
    public SOp MakePairBalance(SOp sop, Value openToken, Value closeToken)
    {
        var boolsOpen = Rasp.Numerical(sop.Eq(openToken)).Named("bools_open");
        var opens = Rasp.Numerical(MakeFracPrevs(boolsOpen)).Named("opens");

        var boolsClose = Rasp.Numerical(sop.Eq(closeToken)).Named("bools_close");
        var closes = Rasp.Numerical(MakeFracPrevs(boolsClose)).Named("closes");

        var pairBalance = Rasp.Numerical(new LinearSequenceMap(opens, closes, 1, -1));
        return pairBalance.Named("pair_balance");
    }

    /// <summary>
    /// <c>make_shuffle_dyck(pairs)</c>: True everywhere iff every bracket type's running balance never goes
    /// negative and ends at 0. Each pair is a two-character string such as <c>"()"</c>.
    /// </summary>
    public SOp MakeShuffleDyck(IReadOnlyList<string> pairs)
    {
        if (pairs.Count < 1) throw new ArgumentException("make_shuffle_dyck needs at least one pair (assert len(pairs) >= 1).", nameof(pairs));

        // Compute running balance of each type of parenthesis.
        var balances = new List<SOp>();
        foreach (var pair in pairs)
        {
            if (pair.Length != 2) throw new ArgumentException($"Each pair must have length 2 (assert len(pair) == 2), got '{pair}'.", nameof(pairs));
            Value openToken = pair[0].ToString(), closeToken = pair[1].ToString();
            var balance = MakePairBalance(Rasp.Tokens, openToken, closeToken).Named($"balance_{pair}");
            balances.Add(balance);
        }

        // Check if balances were negative anywhere -> parentheses not balanced.
        SOp anyNegative = balances[0].Lt(0);
        foreach (var balance in balances.Skip(1))
            anyNegative = anyNegative | balance.Lt(0);

        // Convert to numerical SOp (for a single pair this Map fuses with the `< 0` Map).
        anyNegative = Rasp.Numerical(Rasp.Map(x => x, anyNegative, "x")).Named("any_negative");

        var selectAll = Rasp.Select(Rasp.Indices, Rasp.Indices, Comparison.TRUE).Named("select_all");
        var hasNeg = Rasp.Numerical(Rasp.Aggregate(selectAll, anyNegative, 0)).Named("has_neg");

        // Check if all balances are 0 at the end -> closed all parentheses.
        SOp allZero = balances[0].Eq(0);
        foreach (var balance in balances.Skip(1))
            allZero = allZero & balance.Eq(0);

        var selectLast = Rasp.Select(Rasp.Indices, Length - 1, Comparison.EQ).Named("select_last");
        var lastZero = Rasp.Aggregate(selectLast, allZero).Named("last_zero");

        var notHasNeg = (~hasNeg).Named("not_has_neg");
        return (lastZero & notHasNeg).Named("shuffle_dyck");
    }

    /// <summary><c>make_shuffle_dyck2()</c>: <see cref="MakeShuffleDyck"/> for "()" and "{}", renamed "shuffle_dyck2".</summary>
    public SOp MakeShuffleDyck2() => MakeShuffleDyck(["()", "{}"]).Named("shuffle_dyck2");

    /// <summary><c>make_hist()</c>: out[i] = number of positions holding the token at i.</summary>
    public SOp MakeHist()
    {
        var sameTok = Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.EQ).Named("same_tok");
        return Rasp.SelectorWidth(sameTok).Named("hist");
    }

    /// <summary><c>make_sort_unique(vals, keys)</c>: vals sorted by keys (keys must be unique).</summary>
    public SOp MakeSortUnique(SOp vals, SOp keys)
    {
        var smaller = Rasp.Select(keys, keys, Comparison.LT).Named("smaller");
        var targetPos = Rasp.SelectorWidth(smaller).Named("target_pos");
        var selNew = Rasp.Select(targetPos, Rasp.Indices, Comparison.EQ);
        return Rasp.Aggregate(selNew, vals).Named("sort");
    }

    /// <summary>
    /// <c>make_sort(vals, keys, *, max_seq_len, min_key)</c>: stable sort with non-unique numerical keys, made
    /// unique as <c>x + min_key * i / max_seq_len</c>.
    /// </summary>
    public SOp MakeSort(SOp vals, SOp keys, int maxSeqLen, Value minKey)
    {
        Value maxLen = maxSeqLen;
        keys = Rasp.SequenceMap((x, i) => Py.Add(x, Py.Div(Py.Mul(minKey, i), maxLen)), keys, Rasp.Indices,
            $"x + {minKey.Repr()} * i / {maxSeqLen}");
        return MakeSortUnique(vals, keys);
    }

    /// <summary><c>make_sort_freq(max_seq_len)</c>: tokens sorted by decreasing frequency (ties in input order).</summary>
    public SOp MakeSortFreq(int maxSeqLen)
    {
        SOp hist = -1 * MakeHist().Named("hist");
        return MakeSort(Rasp.Tokens, hist, maxSeqLen, 1).Named("sort_freq");
    }

    // ---------------------------------------------------------------------------------------------
    // Programs that work under both causal and regular evaluation.

    /// <summary><c>make_frac_prevs(bools)</c>: out[i] = mean(bools[0..i]) (numerical).</summary>
    public SOp MakeFracPrevs(SOp bools)
    {
        bools = Rasp.Numerical(bools);
        var prevs = Rasp.Select(Rasp.Indices, Rasp.Indices, Comparison.LEQ);
        return Rasp.Numerical(Rasp.Aggregate(prevs, bools, 0)).Named("frac_prevs");
    }

    /// <summary><c>shift_by(offset, sop)</c>: out[i] = sop[i - offset], None for i &lt; offset.</summary>
    public SOp ShiftBy(int offset, SOp sop)
    {
        Value off = offset;
        var selectOffByOffset = new Select(Rasp.Indices, Rasp.Indices,
            (k, q) => Py.Eq(q, Py.Add(k, off)), $"query == key + {offset}");
        var @out = Rasp.Aggregate(selectOffByOffset, sop, Value.None);
        return @out.Named($"shift_by({offset})");
    }

    /// <summary>
    /// <c>detect_pattern(sop, pattern)</c> for a string pattern (Python iterates its characters; the name shows
    /// the string raw, e.g. <c>detect_pattern(abc)</c>).
    /// </summary>
    public SOp DetectPattern(SOp sop, string pattern) =>
        DetectPattern(sop, pattern.Select(c => (Value)c.ToString()).ToArray(), pattern);

    /// <summary>
    /// <c>detect_pattern(sop, pattern)</c> for a list pattern (the name shows Python's <c>str</c> of a list,
    /// e.g. <c>detect_pattern([1, 2])</c>).
    /// </summary>
    public SOp DetectPattern(SOp sop, IReadOnlyList<Value> pattern) =>
        DetectPattern(sop, pattern, "[" + string.Join(", ", pattern.Select(v => v.Repr())) + "]");

    private SOp DetectPattern(SOp sop, IReadOnlyList<Value> pattern, string patternStr)
    {
        if (pattern.Count < 1)
            throw new PyValueError($"Length of `pattern` must be at least 1. Got {patternStr}");

        // detectors[i] is true at position j iff the i'th (from the end) element of the pattern was
        // detected at position j-i.
        var detectors = new List<SOp>();
        int i = 0;
        foreach (var element in pattern.Reverse())
        {
            SOp detector = sop.Eq(element);
            if (i != 0) detector = ShiftBy(i, detector);
            detectors.Add(detector);
            i++;
        }

        // AND over all detectors (Python's list.pop() takes from the end).
        SOp patternDetected = Pop(detectors);
        while (detectors.Count > 0)
            patternDetected = patternDetected & Pop(detectors);

        return patternDetected.Named($"detect_pattern({patternStr})");

        static SOp Pop(List<SOp> list)
        {
            var last = list[^1];
            list.RemoveAt(list.Count - 1);
            return last;
        }
    }

    /// <summary>
    /// <c>make_count_less_freq(n)</c>: every position = number of positions whose token occurs at most n times
    /// (the predicate looks at the key only: <c>lambda x, y: x &lt;= n</c>).
    /// </summary>
    public SOp MakeCountLessFreq(int n)
    {
        Value nv = n;
        var hist = MakeHist().Named("hist");
        var selectLess = new Select(hist, hist, (x, y) => Py.Le(x, nv), $"key <= {n}").Named("select_less");
        return Rasp.SelectorWidth(selectLess).Named("count_less_freq");
    }

    /// <summary><c>make_count(sop, token)</c>: every position = number of occurrences of token in sop.</summary>
    public SOp MakeCount(SOp sop, Value token) =>
        Rasp.SelectorWidth(new Select(sop, sop, (k, q) => Py.Eq(k, token), $"key == {token.Repr()}"))
            .Named($"count_{token}");

    /// <summary>
    /// <c>make_nary_sequencemap(f, *sops)</c>: binary SequenceMaps build tuples of the arguments, then one Map
    /// applies f to the unpacked tuple.
    /// </summary>
    public SOp MakeNarySequenceMap(Func<IReadOnlyList<Value>, Value> f, params SOp[] sops) =>
        MakeNarySequenceMap(f, "f(*args)", sops);

    /// <summary>As <see cref="MakeNarySequenceMap(Func{IReadOnlyList{Value}, Value}, SOp[])"/>, with a description of f for traces.</summary>
    public SOp MakeNarySequenceMap(Func<IReadOnlyList<Value>, Value> f, string description, params SOp[] sops)
    {
        if (sops.Length < 1) throw new PyTypeError("make_nary_sequencemap needs at least one SOp (values, *sops = sops)");
        SOp values = sops[0];
        foreach (var sop in sops.Skip(1))
        {
            // x is a single entry in the first iteration but a tuple in later iterations.
            values = Rasp.SequenceMap((x, y) => x.IsTuple ? Value.Tuple([.. x.Items, y]) : Value.Tuple(x, y), values, sop,
                "(*x, y) if isinstance(x, tuple) else (x, y)");
        }
        return Rasp.Map(args => f(Unpack(args)), values, description);
    }

    /// <summary>Python's <c>f(*args)</c> unpacking: a tuple gives its items, a string its characters.</summary>
    private static IReadOnlyList<Value> Unpack(Value args) => args.Kind switch
    {
        ValueKind.Tuple => args.Items,
        ValueKind.Str => args.AsString.Select(c => (Value)c.ToString()).ToArray(),
        _ => throw new PyTypeError($"argument after * must be an iterable, not {args.TypeName}"),
    };
}
