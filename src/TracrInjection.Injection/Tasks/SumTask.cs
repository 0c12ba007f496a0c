using System.Globalization;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// Integer addition (the paper's <c>int-sum</c>, <c>data/int_sum.py</c>): prompt <c>"{a} + {b} ="</c>, answer
/// <c>" {a+b}"</c>. The pool is every pair a, b in [0, 450) (202,500 items), split at random into test
/// (min(20%, 4000) = 4,000), validation (100) and train.
/// </summary>
public static class SumTask
{
    public const int MaxInt = 450;
    public const int LengthOodMaxInt = 4500;
    public const int LengthOodMinInt = 1000;

    public static TaskExample Example(long a, long b) =>
        new($"{a.ToString(CultureInfo.InvariantCulture)} + {b.ToString(CultureInfo.InvariantCulture)} =",
            (a + b).ToString(CultureInfo.InvariantCulture));

    /// <summary>The paper's <c>create_int_sum_data(max_int)</c> in its order: item k is (k / max, k % max).</summary>
    public static TaskExample PoolItem(int k, int maxInt = MaxInt) => Example(k / maxInt, k % maxInt);

    /// <summary>
    /// <c>length_ood</c> as the paper builds it: <c>create_int_sum_data(4500, min_int=1000)</c> ignores min_int, so
    /// the 4,000 test pairs are drawn (without repetition) from all of [0, 4500)²; about 95% have a 4-digit
    /// operand. With <paramref name="honourMinInt"/> both operands lie in [1000, 4500) (the split the paper meant).
    /// </summary>
    public static List<TaskExample> LengthOod(Random rng, int count, bool honourMinInt = false)
    {
        int lo = honourMinInt ? LengthOodMinInt : 0, span = LengthOodMaxInt - lo;
        long total = (long)span * span;
        var seen = new HashSet<long>();
        var items = new List<TaskExample>(count);
        while (items.Count < count && seen.Count < total)
        {
            long k = rng.NextInt64(total);
            if (!seen.Add(k)) continue;
            items.Add(Example(lo + k / span, lo + k % span));
        }
        return items;
    }

    /// <summary>
    /// <c>create_cascade_data(digits=3)</c>: every a + b = i·100 for i = 1..9 and a = 0..i·100−1 (4,500 items, in
    /// that order). Operands go up to 900, outside the training range.
    /// </summary>
    public static List<TaskExample> CascadingOverflow(int digits = 3)
    {
        var items = new List<TaskExample>();
        long unit = (long)Math.Pow(10, digits - 1);
        for (int i = 1; i < 10; i++)
        {
            long target = i * unit;
            for (long a = 0; a < target; a++) items.Add(Example(a, target - a));
        }
        return items;
    }

    /// <summary>
    /// <c>create_decimal_data(450)</c>: <c>"x.yy + z.ww ="</c> with integer parts uniform in [0, 450] and decimals
    /// 01–99; the answer has two decimals. The labels are computed in hundredths (exactly what Python's
    /// <c>f"{i + j:.2f}"</c> prints, since float error stays far below 0.005).
    /// </summary>
    public static List<TaskExample> Decimals(Random rng, int count, int maxInt = MaxInt)
    {
        var items = new List<TaskExample>(count);
        for (int n = 0; n < count; n++)
        {
            int i = rng.Next(0, maxInt + 1);
            int j = rng.Next(0, maxInt + 1);
            int di = rng.Next(1, 100);
            int dj = rng.Next(1, 100);
            long total = (long)i * 100 + di + (long)j * 100 + dj;
            items.Add(new TaskExample($"{Hundredths(i * 100L + di)} + {Hundredths(j * 100L + dj)} =", Hundredths(total)));
        }
        return items;
    }

    private static string Hundredths(long h) =>
        (h / 100).ToString(CultureInfo.InvariantCulture) + "." + (h % 100).ToString("D2", CultureInfo.InvariantCulture);
}
