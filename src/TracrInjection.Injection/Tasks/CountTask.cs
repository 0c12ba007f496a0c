using System.Globalization;
using System.Numerics;
using System.Text;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// Counting (the paper's <c>count</c>, <c>data/count.py</c>): prompt
/// <c>"What is the number of 'X' in this text? {x y x ...}\nAnswer:"</c>, answer <c>" {number of x}"</c>.
/// The pool holds <c>examples</c> (2,000,000 in the paper) <em>distinct</em> sequences of x/y with lengths uniform
/// in 5–40 (re-drawn when already seen, so short lengths saturate), without the sequences that have no y.
/// </summary>
public static class CountTask
{
    public const int MaxSize = 40;
    public const int MinSize = 5;

    public static string Prompt(string text) => $"What is the number of 'X' in this text? {text}\nAnswer:";

    public static TaskExample Example(string text, int n) => new(Prompt(text), n.ToString(CultureInfo.InvariantCulture));

    /// <summary>A sequence of length ≤ 40 packed in a ulong: length in the top byte, bit k set when symbol k is x.</summary>
    public static ulong Pack(int length, ulong xBits) => ((ulong)length << 56) | xBits;

    public static int LengthOf(ulong code) => (int)(code >> 56);

    public static int CountX(ulong code) => BitOperations.PopCount(code & ((1UL << 56) - 1));

    public static string Text(ulong code) => Text(LengthOf(code), (UInt128)(code & ((1UL << 56) - 1)));

    public static string Text(int length, UInt128 xBits)
    {
        var sb = new StringBuilder(2 * length);
        for (int k = 0; k < length; k++)
        {
            if (k > 0) sb.Append(' ');
            sb.Append(((xBits >> k) & 1) == 1 ? 'x' : 'y');
        }
        return sb.ToString();
    }

    public static TaskExample FromCode(ulong code) => Example(Text(code), CountX(code));

    /// <summary>
    /// <c>create_dyck_data(max_length, examples)</c> of count.py (the name is the paper's): distinct sequences,
    /// length uniform in [5, max_length], each symbol x or y with probability 1/2. Lengths up to 40.
    /// </summary>
    public static ulong[] UniqueSequences(Random rng, int examples, int maxLength = MaxSize)
    {
        if (maxLength > 48) throw new ArgumentOutOfRangeException(nameof(maxLength), "packed sequences hold at most 48 symbols; use UniqueLongSequences");
        long possible = 0;
        for (int len = MinSize; len <= maxLength; len++) possible += 1L << len;
        if (examples > possible) throw new ArgumentOutOfRangeException(nameof(examples), $"only {possible} distinct sequences exist");
        var seen = new HashSet<ulong>(examples);
        var codes = new ulong[examples];
        int n = 0;
        while (n < examples)
        {
            int size = rng.Next(MinSize, maxLength + 1);
            ulong bits = 0;
            for (int k = 0; k < size; k++) if (rng.Next(2) == 0) bits |= 1UL << k;
            ulong code = Pack(size, bits);
            if (seen.Add(code)) codes[n++] = code;
        }
        return codes;
    }

    /// <summary>As <see cref="UniqueSequences"/> for lengths up to 120 (the length-OOD split).</summary>
    public static List<TaskExample> UniqueLongSequences(Random rng, int examples, int maxLength)
    {
        var seen = new HashSet<(int, UInt128)>();
        var items = new List<TaskExample>(examples);
        while (items.Count < examples)
        {
            int size = rng.Next(MinSize, maxLength + 1);
            UInt128 bits = 0;
            for (int k = 0; k < size; k++) if (rng.Next(2) == 0) bits |= UInt128.One << k;
            if (!seen.Add((size, bits))) continue;
            int x = 0;
            for (int k = 0; k < size; k++) if (((bits >> k) & 1) == 1) x++;
            items.Add(Example(Text(size, bits), x));
        }
        return items;
    }

    /// <summary><c>x_only</c>: n = 1..40 with only x (no training sequence lacks a y).</summary>
    public static List<TaskExample> XOnly(int maxN = MaxSize) =>
        Enumerable.Range(1, maxN).Select(n => Example(string.Join(' ', Enumerable.Repeat("x", n)), n)).ToList();

    /// <summary><c>replace_y</c>: the prompt with every y replaced by z (the template has no y).</summary>
    public static TaskExample ReplaceY(TaskExample e) => e with { Prompt = e.Prompt.Replace('y', 'z') };
}
