using System.Text;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// Shuffle-Dyck-3 recognition (the paper's <c>dyck</c>, <c>data/dyck_3.py</c>): prompt
/// <c>"Are parenthesis here correctly matched? {brackets}\nAnswer:"</c>, answer <c>" yes"</c> / <c>" no"</c>.
/// Correct means: for each bracket type separately, no prefix closes more than it opened and the totals balance
/// (types may interleave, so <c>[(])</c> is correct). The pool (1,000,000 in the paper) is half uniform random
/// strings over <c>()[]{}</c> and half generated correct strings, lengths uniform in 5–30, not de-duplicated.
/// </summary>
public static class DyckTask
{
    public const string AllPairs = "()[]{}";
    public const string ExtendedPairs = "()[]{}<>";
    public const int MaxLength = 30;
    public const int LengthGenMult = 3;

    public static string Prompt(string term) => $"Are parenthesis here correctly matched? {term}\nAnswer:";

    public static TaskExample Example(string term, bool correct) => new(Prompt(term), correct ? "yes" : "no");

    /// <summary>Shuffle-Dyck membership over the pairs of <paramref name="alphabet"/> (opener, closer, opener, ...).</summary>
    public static bool IsShuffleDyck(string term, string alphabet = ExtendedPairs)
    {
        var depth = new int[alphabet.Length / 2];
        foreach (char c in term)
        {
            int k = alphabet.IndexOf(c);
            if (k < 0) throw new ArgumentException($"'{c}' is not a bracket of {alphabet}");
            if (k % 2 == 0) depth[k / 2]++;
            else if (--depth[k / 2] < 0) return false;
        }
        return depth.All(d => d == 0);
    }

    /// <summary><c>create_random_example(size)</c>: uniform symbols of <paramref name="alphabet"/>, label computed.</summary>
    public static (string Term, bool Correct) RandomExample(Random rng, int size, string alphabet = AllPairs)
    {
        var sb = new StringBuilder(size);
        for (int i = 0; i < size; i++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
        string term = sb.ToString();
        return (term, IsShuffleDyck(term, alphabet));
    }

    /// <summary>
    /// <c>create_correct_example(size)</c>: the size is rounded up to even; at each step a closer of an open type
    /// or (while there is room to close everything) any opener is chosen uniformly. Openers of
    /// <paramref name="alphabet"/> at even indices, closers at odd.
    /// </summary>
    public static (string Term, bool Correct) CorrectExample(Random rng, int size, string alphabet = AllPairs)
    {
        if (size % 2 == 1) size++;
        int types = alphabet.Length / 2;
        var counters = new int[types];
        var sb = new StringBuilder(size);
        var valid = new List<char>(2 * types);
        for (int i = 0; i < size; i++)
        {
            valid.Clear();
            for (int t = 0; t < types; t++) if (counters[t] > 0) valid.Add(alphabet[2 * t + 1]);
            if (counters.Sum() + i < size)
                for (int t = 0; t < types; t++) valid.Add(alphabet[2 * t]);
            char c = valid[rng.Next(valid.Count)];
            int k = alphabet.IndexOf(c);
            counters[k / 2] += k % 2 == 0 ? 1 : -1;
            sb.Append(c);
        }
        return (sb.ToString(), true);
    }

    /// <summary>Item <paramref name="k"/> of a pool of <paramref name="examples"/>: the first half random, the second correct.</summary>
    public static TaskExample PoolItem(long seed, string purpose, long k, int examples, int maxLength = MaxLength, string alphabet = AllPairs)
    {
        var rng = Seeds.Rng(seed, purpose, k);
        int size = rng.Next(5, maxLength + 1);
        var (term, correct) = k < examples / 2 ? RandomExample(rng, size, alphabet) : CorrectExample(rng, size, alphabet);
        return Example(term, correct);
    }

    /// <summary><c>create_almost_balanced_example</c>: correct strings of length 15–90 with the last symbol removed (all "no").</summary>
    public static List<TaskExample> AlmostBalanced(Random rng, int count, int maxLength = MaxLength)
    {
        var items = new List<TaskExample>(count);
        for (int i = 0; i < count; i++)
        {
            int size = rng.Next(5 * LengthGenMult, maxLength * LengthGenMult + 1);
            var (term, _) = CorrectExample(rng, size);
            items.Add(Example(term[..^1], false));
        }
        return items;
    }
}
