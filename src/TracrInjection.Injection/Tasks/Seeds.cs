namespace TracrInjection.Injection.Tasks;

/// <summary>
/// Deterministic seed derivation: every random stream of a run (a data split, an item, an epoch's order) gets
/// its own <see cref="Random"/> seeded from the run seed and a purpose, so streams never depend on the order in
/// which they are used. <see cref="Random"/> with a seed yields the same sequence on every platform.
/// </summary>
public static class Seeds
{
    /// <summary>SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A seed for <paramref name="purpose"/> (FNV-1a of the text) and up to two indices.</summary>
    public static int Derive(long seed, string purpose, long a = 0, long b = 0)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        ulong x = Mix(Mix(Mix((ulong)seed ^ h) + (ulong)a) + (ulong)b);
        return (int)(x & 0x7FFFFFFF);
    }

    public static Random Rng(long seed, string purpose, long a = 0, long b = 0) => new(Derive(seed, purpose, a, b));

    /// <summary>A Fisher-Yates permutation of 0..n-1.</summary>
    public static int[] Permutation(int n, Random rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p, rng);
        return p;
    }

    public static void Shuffle<T>(IList<T> items, Random rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int k = rng.Next(i + 1);
            (items[i], items[k]) = (items[k], items[i]);
        }
    }
}
