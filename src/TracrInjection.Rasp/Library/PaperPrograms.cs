using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Library;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// The three RASP programs of the paper (tvergara/language-model-repair, <c>compile_model/</c>), rebuilt with
/// the same construction order, names and shared sub-expressions, so that tracr's breadth-first labels come
/// out identical (checked against the golden <c>paper_int_sum</c> and <c>paper_count</c> node lists).
/// <para>
/// The Python modules keep a module-level <c>ZERO_SOP = rasp.Map(lambda _: 0, rasp.tokens)</c> that every use
/// shares; each builder here creates one per call (= one fresh Python process per program).
/// </para>
/// </summary>
public static class PaperPrograms
{
    /// <summary>The paper's compile settings for all three programs: BOS "bos", PAD "pad", causal.</summary>
    public const string Bos = "bos";
    public const string Pad = "pad";

    // =============================================================================================
    // Integer sum: compile_model/compile_sum_model.py

    /// <summary><c>{str(i) for i in range(10)} | {'+', '=', ' '}</c>, sorted as the golden file lists it.</summary>
    public static IReadOnlyList<Value> IntSumVocab { get; } =
        new[] { " ", "+", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "=" }.Select(s => (Value)s).ToArray();

    /// <summary>
    /// <c>generate_sum_operation()</c>: "a+b=" with the sum's digits written from the '=' position on (causal).
    /// The repository file has MAX_DIGITS = 4 (golden <c>paper_int_sum</c>: width 835, 24 layers); the paper's
    /// compiled teacher used MAX_DIGITS = 3 (width 660, 21 layers). MAX_LENGTH (16) is also the compile
    /// max_seq_len and appears in <c>target_location_func</c>.
    /// </summary>
    public static SOp IntSum(Lib lib, int maxDigits = 4, int maxLength = 16)
    {
        ArgumentNullException.ThrowIfNull(lib);
        if (maxDigits < 1) throw new ArgumentOutOfRangeException(nameof(maxDigits));
        var zeroSop = ZeroSop();
        var digitSums = SumByDigits(lib, maxDigits);
        var finalDigits = PercolateCarries(digitSums, zeroSop, maxDigits);
        var numDigits = CountTotalDigits(finalDigits, zeroSop, maxDigits);
        var finalResult = AssignLocationToEachDigit(finalDigits, numDigits, zeroSop, maxDigits, maxLength, "=", "final_result");
        return finalResult;
    }

    private static SOp ZeroSop() => Rasp.Map(_ => 0, Rasp.Tokens, "0");

    /// <summary><c>is_digit(x)</c>: <c>isinstance(x, int) or x.isdigit()</c>.</summary>
    private static bool IsDigit(Value x)
    {
        if (x.IsIntegral) return true;
        if (x.IsString) return Py.IsDigit(x);
        throw new PyTypeError($"'{x.TypeName}' object has no attribute 'isdigit'");
    }

    /// <summary>Python <c>x.isdigit()</c> on a value that must be a str.</summary>
    private static bool StrIsDigit(Value x) =>
        x.IsString ? Py.IsDigit(x) : throw new PyTypeError($"'{x.TypeName}' object has no attribute 'isdigit'");

    /// <summary><c>sum_by_digits()</c>: per digit position, the sum of the two operands' digits (may exceed 9).</summary>
    private static List<SOp> SumByDigits(Lib lib, int maxDigits)
    {
        var numbers = Rasp.Map(x => StrIsDigit(x) ? Py.ToInt(x) : 0, Rasp.Tokens, "int(x) if x.isdigit() else 0").Named("numbers");
        var shiftedTokens = lib.ShiftBy(1, Rasp.Tokens);
        var numberJustEnded = Rasp.SequenceMap((x, y) => IsDigit(x) && !IsDigit(y), shiftedTokens, Rasp.Tokens,
            "is_digit(x) and not is_digit(y)");
        var endedNumbers = Rasp.Select(numberJustEnded, Rasp.Map(_ => true, Rasp.Tokens, "True"), Comparison.EQ);
        var cumulativeEndedNumbers = Rasp.SelectorWidth(endedNumbers);
        var secondNumber = Rasp.SequenceMap(
            (x, mask) => StrIsDigit(x) && Py.Gt(mask, 0).AsBool ? Py.ToInt(x) : 0,
            Rasp.Tokens, cumulativeEndedNumbers, "int(x) if x.isdigit() and mask > 0 else 0");

        var shiftedFirstNumbers = new List<SOp> { numbers };
        var shiftedSecondNumbers = new List<SOp> { secondNumber };
        for (int i = 1; i <= maxDigits; i++)
        {
            shiftedFirstNumbers.Add(ZeroShiftBy(i, numbers));
            shiftedSecondNumbers.Add(ZeroShiftBy(i, secondNumber));
        }

        // list(map(lambda num: SequenceMap(lambda x, y: x if y else 0, num, number_just_ended), ...))
        shiftedFirstNumbers = shiftedFirstNumbers.Select(num => (SOp)Rasp.SequenceMap((x, y) => y.IsTruthy ? x : 0, num, numberJustEnded, "x if y else 0")).ToList();
        shiftedSecondNumbers = shiftedSecondNumbers.Select(num => (SOp)Rasp.SequenceMap((x, y) => y.IsTruthy ? x : 0, num, numberJustEnded, "x if y else 0")).ToList();

        var totalNumbersCounter = Rasp.Select(numberJustEnded, numberJustEnded, Comparison.EQ);
        var numberId = Rasp.SelectorWidth(totalNumbersCounter);
        var numberIdClean = Rasp.SequenceMap((nid, correct) => correct.IsTruthy ? nid : 0, numberId, numberJustEnded, "nid if correct else 0");

        var afterSecondNumber = Rasp.Map(x => Py.Gt(x, 1).AsBool ? 1 : 0, cumulativeEndedNumbers, "1 if x > 1 else 0");
        var grabNumbers = new Select(numberIdClean, afterSecondNumber, (number, equal) => Py.Eq(number, equal), "key == query");
        var grabNumbers2 = new Select(numberIdClean, afterSecondNumber * 2, (number, equal) => Py.Eq(number, equal), "key == query");

        var digitSums = new List<SOp>();
        for (int i = 1; i <= maxDigits; i++)
        {
            SOp thisDigitSum = Rasp.Aggregate(grabNumbers, shiftedFirstNumbers[i]) + Rasp.Aggregate(grabNumbers2, shiftedSecondNumbers[i]);
            thisDigitSum = Rasp.Map(x => Py.Gt(x, 0).AsBool ? x : 0, thisDigitSum, "x if x > 0 else 0");
            digitSums.Add(thisDigitSum);
        }
        return digitSums;
    }

    /// <summary><c>zero_shift_by(offset, sop)</c>: sop shifted by offset, zero-padded.</summary>
    private static SOp ZeroShiftBy(int offset, SOp sop)
    {
        Value off = offset;
        var selectOffByOffset = new Select(Rasp.Indices, Rasp.Indices, (k, q) =>
        {
            // q == k + offset or (q - offset < 0 and k == 0)
            var first = Py.Eq(q, Py.Add(k, off));
            if (first.IsTruthy) return first;
            var lhs = Py.Lt(Py.Sub(q, off), 0);
            return lhs.IsTruthy ? Py.Eq(k, 0) : lhs;
        }, $"query == key + {offset} or (query - {offset} < 0 and key == 0)");
        var @out = Rasp.Aggregate(selectOffByOffset, sop, Value.None);
        var cleanOut = Rasp.SequenceMap((value, index) => Py.Ge(index, off).AsBool ? value : 0, @out, Rasp.Indices,
            $"value if index >= {offset} else 0");
        return cleanOut;
    }

    /// <summary><c>percolate_carries(digit_sums)</c>: final_d_digit = (sum + carry) % 10, carries (sum + carry) // 10.</summary>
    private static List<SOp> PercolateCarries(List<SOp> digitSums, SOp zeroSop, int maxDigits)
    {
        SOp carryCurrent = zeroSop;
        var finalDigits = new List<SOp>();
        for (int d = 0; d < maxDigits; d++)
        {
            var finalDigitD = Rasp.SequenceMap((l, c) => Py.Mod(Py.Add(l, c), 10), digitSums[d], carryCurrent, "(l + c) % 10")
                .Named($"final_{d}_digit");
            var nextCarry = Rasp.SequenceMap((l, c) => Py.FloorDiv(Py.Add(l, c), 10), digitSums[d], carryCurrent, "(l + c) // 10")
                .Named($"next_carry_{d}_digit");
            finalDigits.Add(finalDigitD);
            carryCurrent = nextCarry;
        }
        return finalDigits;
    }

    /// <summary><c>count_total_digits(final_digits)</c>: number of digits of the result (has_d_digit chain).</summary>
    private static SOp CountTotalDigits(List<SOp> finalDigits, SOp zeroSop, int maxDigits)
    {
        SOp numDigits = zeroSop;
        SOp hasDigit = zeroSop;
        for (int d = maxDigits - 1; d >= 0; d--)
        {
            hasDigit = Rasp.SequenceMap((x, y) => Py.Gt(Py.Add(x, y), 0).AsBool ? 1 : 0, finalDigits[d], hasDigit, "1 if x + y > 0 else 0")
                .Named($"has_{d}_digit");
            numDigits += hasDigit;
        }
        return numDigits;
    }

    /// <summary>
    /// <c>assign_location_to_each_digit(final_digits, num_digits)</c>: digit d goes to position
    /// <c>marker_pos + num_digits - d - 1</c> (0 when outside (0, MAX_LENGTH)).
    /// </summary>
    private static SOp AssignLocationToEachDigit(List<SOp> finalDigits, SOp numDigits, SOp zeroSop, int maxDigits,
        int maxLength, string marker, string finalName)
    {
        Value maxLen = maxLength;
        Value markerValue = marker;
        SOp finalResult = zeroSop;
        var equalsSelector = Rasp.Select(Rasp.Tokens, Rasp.Map(_ => markerValue, Rasp.Tokens, markerValue.Repr()), Comparison.EQ)
            .Named("equals_selector");
        var equalsPos = Rasp.Aggregate(equalsSelector, Rasp.Indices).Named("equals_pos");
        for (int d = 0; d < maxDigits; d++)
        {
            Value dv = d;
            var targetLocation = Rasp.SequenceMap((x, y) =>
            {
                var location = Py.Sub(Py.Sub(Py.Add(x, y), dv), 1);
                if (Py.Ge(location, maxLen).AsBool || Py.Le(location, 0).AsBool) return 0;
                return location;
            }, equalsPos, numDigits, $"x + y - {d} - 1 if 0 < x + y - {d} - 1 < {maxLength} else 0").Named($"target_{d}_location");
            var tmpMask = Rasp.SequenceMap((x, y) => Py.ToInt(Py.Eq(x, y)), targetLocation, Rasp.Indices, "int(x == y)")
                .Named($"tmp_mask_{d}_digit");
            var digitInCorrectPlace = (finalDigits[d] * tmpMask).Named($"digit_{d}_correct_place");
            var maxedSum = Rasp.SequenceMap((x, y) =>
            {
                var s = Py.Add(x, y);
                return Py.Ge(s, 10).AsBool ? 0 : s;
            }, finalResult, digitInCorrectPlace, "0 if x + y >= 10 else x + y");
            finalResult = maxedSum.Named($"tmp_result_{d}_digit");
        }
        finalResult = finalResult.Named(finalName);
        return finalResult;
    }

    // =============================================================================================
    // Count: compile_model/compile_count_model.py

    /// <summary><c>{str(i) for i in range(MAX_LENGTH)} | {'yes', 'no', 'count'}</c>, sorted (Python string order).</summary>
    public static IReadOnlyList<Value> CountVocab(int maxLength = 120) =>
        Enumerable.Range(0, maxLength).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Concat(["yes", "no", "count"])
            .Order(StringComparer.Ordinal)
            .Select(s => (Value)s)
            .ToArray();

    /// <summary>
    /// <c>generate_count_operation()</c>: count the 'yes' tokens (SelectorWidth), split the count into
    /// MAX_DIGITS digits and write them from the 'count' position on. The paper compiles it with
    /// max_seq_len = MAX_LENGTH = 120 and mlp_exactness 10000.
    /// </summary>
    public static SOp Count(Lib lib, int maxDigits = 3, int maxLength = 120)
    {
        ArgumentNullException.ThrowIfNull(lib);
        if (maxDigits < 1) throw new ArgumentOutOfRangeException(nameof(maxDigits));
        var zeroSop = ZeroSop();

        var masked = Rasp.Tokens.Eq("yes");
        var ones = Rasp.Map(_ => 1, Rasp.Indices, "1");
        var prevs = Rasp.Select(masked, ones, Comparison.EQ);
        var count = Rasp.SelectorWidth(prevs);

        var digits = new List<SOp>();
        for (int d = 0; d < maxDigits; d++)
        {
            Value pow = Py.Pow(10, d);
            // def get_digit(x, d=d): return (x // (10 ** d)) % 10
            var dResult = Rasp.Map(x => Py.Mod(Py.FloorDiv(x, pow), 10), count, $"(x // 10 ** {d}) % 10");
            digits.Add(dResult);
        }

        var totalDigits = CountTotalDigits(digits, zeroSop, maxDigits);
        // assign_location_to_each_digit names its result 'final_assignation' (twice); the caller renames it.
        var result = AssignLocationToEachDigit(digits, totalDigits, zeroSop, maxDigits, maxLength, "count", "final_assignation")
            .Named("final_assignation");
        return result.Named("final_result");
    }

    // =============================================================================================
    // Shuffle-Dyck-3: compile_model/compile_dyck.py

    /// <summary><c>{'(', ')', '[', ']', '{', '}', ' ', 'compute'}</c>, sorted.</summary>
    public static IReadOnlyList<Value> DyckVocab { get; } =
        new[] { " ", "(", ")", "[", "]", "compute", "{", "}" }.Select(s => (Value)s).ToArray();

    /// <summary>The paper's bracket pairs, in its order: <c>[('(', ')'), ('{', '}'), ('[', ']')]</c>.</summary>
    public static IReadOnlyList<(string Left, string Right)> DyckPairs { get; } = [("(", ")"), ("{", "}"), ("[", "]")];

    /// <summary>
    /// <c>shuffle_dyck(pairs)</c> of compile_dyck.py (MAX_LENGTH 40, causal): per pair, opener/closer counts
    /// (SelectorWidth), diffs, negative counters; OR-ed across pairs; <c>final_result</c> is the verdict at a
    /// 'compute' token and False elsewhere.
    /// </summary>
    public static SOp ShuffleDyck(Lib lib, IReadOnlyList<(string Left, string Right)>? pairs = null)
    {
        ArgumentNullException.ThrowIfNull(lib);
        pairs ??= DyckPairs;
        if (pairs.Count < 1) throw new ArgumentException("At least one pair is needed.", nameof(pairs));

        var allDiffs = new List<SOp>();
        var allNegs = new List<SOp>();
        foreach (var (left, right) in pairs)
        {
            Value l = left, r = right;
            // def compare_left(x, y, left=left): return x == left
            var starts = new Select(Rasp.Tokens, Rasp.Tokens, (x, y) => Py.Eq(x, l), $"key == {l.Repr()}");
            var startCounts = Rasp.SelectorWidth(starts).Named($"{left}_start_counts");

            var ends = new Select(Rasp.Tokens, Rasp.Tokens, (x, y) => Py.Eq(x, r), $"key == {r.Repr()}");
            var endCounts = Rasp.SelectorWidth(ends).Named($"{right}_end_counts");

            var diffs = (startCounts - endCounts).Named($"{left + right}_diffs");
            allDiffs.Add(diffs);

            var negsSelector = new Select(diffs, Rasp.Tokens, (x, y) => Py.Lt(x, 0), "key < 0");
            var negsCounter = Rasp.SelectorWidth(negsSelector).Named($"{left + right}_negative_counters");
            allNegs.Add(negsCounter);
        }

        SOp currentNegs = allNegs[0];
        foreach (var negs in allNegs.Skip(1))
            currentNegs = Rasp.SequenceMap(AnyNonZero, currentNegs, negs, "1 if (x != 0 or y != 0) else 0");
        var aggregatedNegs = currentNegs.Named("aggregated_negatives");

        SOp currentDiffs = allDiffs[0];
        int i = 0;
        foreach (var diffs in allDiffs.Skip(1))
        {
            currentDiffs = Rasp.SequenceMap(AnyNonZero, currentDiffs, diffs, "1 if (x != 0 or y != 0) else 0")
                .Named($"aggregated_diffs_tmp_{i}");
            i++;
        }
        var aggregatedDiffs = currentDiffs.Named("aggregated_diffs");

        var result = Rasp.SequenceMap((x, y) =>
        {
            // x == 0 and y == 0
            var a = Py.Eq(x, 0);
            return a.IsTruthy ? Py.Eq(y, 0) : a;
        }, aggregatedNegs, aggregatedDiffs, "x == 0 and y == 0").Named("unfiltered_result");
        var filteredResult = Rasp.SequenceMap((x, y) => Py.Eq(y, "compute").IsTruthy ? x : false, result, Rasp.Tokens,
            "x if y == 'compute' else False");
        return filteredResult.Named("final_result");

        static Value AnyNonZero(Value x, Value y) => Py.Ne(x, 0).IsTruthy || Py.Ne(y, 0).IsTruthy ? 1 : 0;
    }
}
