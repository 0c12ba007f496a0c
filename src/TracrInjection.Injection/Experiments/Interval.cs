namespace TracrInjection.Injection.Experiments;

/// <summary>A point estimate with a 95% bootstrap percentile interval.</summary>
public sealed record Interval(double Mean, double Low, double High)
{
    /// <summary>Half the interval's width (for "mean ± half" display).</summary>
    public double HalfWidth => (High - Low) / 2;

    /// <summary>The interval lies strictly above 0 (a win when this is a difference).</summary>
    public bool ExcludesZeroAbove => Low > 0;

    public bool ExcludesZeroBelow => High < 0;

    public bool Contains(double x) => Low <= x && x <= High;
}
