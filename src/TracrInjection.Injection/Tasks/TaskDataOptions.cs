
namespace TracrInjection.Injection.Tasks;

/// <summary>How much data to build and how to split it (paper values by default).</summary>
public sealed record TaskDataOptions
{
    /// <summary>Seeds every generator and split (the paper's default seed is 42).</summary>
    public long Seed { get; init; } = 42;
    /// <summary>Items in the generated pool before the split; null = the paper's (all 202,500 pairs / 2,000,000 / 1,000,000). Ignored for sum.</summary>
    public int? PoolSize { get; init; }
    /// <summary>test = min(TestFraction × pool, MaxTestSize): 4,000 in the paper.</summary>
    public int MaxTestSize { get; init; } = 4000;
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Training items held out for validation (100 in the paper).</summary>
    public int ValidationSize { get; init; } = 100;
    /// <summary>Size of the OOD splits that are drawn at random (4,000 in the paper; cascading_overflow and x_only are fixed).</summary>
    public int OodSize { get; init; } = 4000;
}
