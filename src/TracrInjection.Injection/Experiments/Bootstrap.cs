namespace TracrInjection.Injection.Experiments;

/// <summary>
/// Hierarchical bootstrap of exact-match accuracies over seeds and items (issue 10): one resample draws the seeds with
/// replacement, then, within each drawn seed, its items with replacement; the statistic is the mean over the drawn
/// seeds of their accuracy. The point estimate is the mean over seeds of each seed's accuracy. The interval is the
/// 2.5–97.5 percentile of the resamples. The RNG is seeded, so a summary is reproducible.
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 2000;
    public const int DefaultSeed = 20251;

    /// <summary>Mean accuracy over seeds with its interval; <paramref name="seeds"/> holds each seed's per-item correctness.</summary>
    public static Interval Accuracy(IReadOnlyList<bool[]> seeds, int resamples = DefaultResamples, int rngSeed = DefaultSeed)
    {
        Check(seeds.Count, resamples);
        foreach (var s in seeds)
            if (s.Length == 0) throw new ArgumentException("a seed has no items");
        double mean = seeds.Average(Mean);
        var rng = new Random(rngSeed);
        var stats = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int k = 0; k < seeds.Count; k++)
            {
                var items = seeds[rng.Next(seeds.Count)];
                int correct = 0;
                for (int i = 0; i < items.Length; i++) if (items[rng.Next(items.Length)]) correct++;
                sum += (double)correct / items.Length;
            }
            stats[r] = sum / seeds.Count;
        }
        return Percentiles(mean, stats);
    }

    /// <summary>
    /// The paired difference A − B (injection − baseline): seed k of A is paired with seed k of B and item i with item i
    /// (the same test items), so a resample draws seeds and then item indices once for both methods.
    /// </summary>
    public static Interval PairedDifference(IReadOnlyList<(bool[] A, bool[] B)> seeds, int resamples = DefaultResamples, int rngSeed = DefaultSeed)
    {
        Check(seeds.Count, resamples);
        foreach (var (a, b) in seeds)
        {
            if (a.Length != b.Length) throw new ArgumentException($"paired seeds must have the same items ({a.Length} and {b.Length})");
            if (a.Length == 0) throw new ArgumentException("a seed has no items");
        }
        double mean = seeds.Average(s => Mean(s.A) - Mean(s.B));
        var rng = new Random(rngSeed);
        var stats = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int k = 0; k < seeds.Count; k++)
            {
                var (a, b) = seeds[rng.Next(seeds.Count)];
                int diff = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    int j = rng.Next(a.Length);
                    diff += (a[j] ? 1 : 0) - (b[j] ? 1 : 0);
                }
                sum += (double)diff / a.Length;
            }
            stats[r] = sum / seeds.Count;
        }
        return Percentiles(mean, stats);
    }

    public static double Mean(bool[] items) => items.Length == 0 ? double.NaN : items.Count(x => x) / (double)items.Length;

    /// <summary>The 2.5% and 97.5% percentiles (linear interpolation between order statistics, as numpy's default).</summary>
    public static Interval Percentiles(double mean, double[] stats)
    {
        Array.Sort(stats);
        return new Interval(mean, Quantile(stats, 0.025), Quantile(stats, 0.975));
    }

    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    static void Check(int seeds, int resamples)
    {
        if (seeds == 0) throw new ArgumentException("no seeds");
        if (resamples < 1) throw new ArgumentException($"resamples must be at least 1 (got {resamples})");
    }
}
