using TracrInjection.Injection.Experiments;

namespace TracrInjection.Injection.Tests.Experiments;

/// <summary>The hierarchical bootstrap and the paired difference against hand-computed cases and invariants.</summary>
public class BootstrapTests
{
    static bool[] Items(int correct, int total) => Enumerable.Range(0, total).Select(i => i < correct).ToArray();

    [Fact]
    public void AllRightOrAllWrongHasADegenerateInterval()
    {
        var all = Bootstrap.Accuracy([Items(10, 10), Items(5, 5)]);
        Assert.Equal(new Interval(1, 1, 1), all);
        var none = Bootstrap.Accuracy([Items(0, 7)]);
        Assert.Equal(new Interval(0, 0, 0), none);
    }

    [Fact]
    public void TheMeanIsTheMeanOverSeedsOfEachSeedsAccuracy()
    {
        // Seeds of different sizes: (3/4 + 1/2) / 2 = 0.625, not 4/6.
        var ci = Bootstrap.Accuracy([Items(3, 4), Items(1, 2)]);
        Assert.Equal(0.625, ci.Mean, 12);
        Assert.InRange(ci.Low, 0, ci.Mean);
        Assert.InRange(ci.High, ci.Mean, 1);
    }

    [Fact]
    public void TwoItemsSpanTheWholeRange()
    {
        // One seed, items {1, 0}: resampled accuracies 0, ½, 1 with probabilities ¼, ½, ¼, so the 2.5% and 97.5%
        // percentiles are 0 and 1.
        var ci = Bootstrap.Accuracy([[true, false]], resamples: 4000);
        Assert.Equal(0.5, ci.Mean);
        Assert.Equal(0, ci.Low);
        Assert.Equal(1, ci.High);
    }

    [Fact]
    public void TheIntervalMatchesTheNormalApproximationForManyItems()
    {
        // p = 0.5, n = 1000: the binomial 95% half-width is 1.96 · sqrt(p(1−p)/n) ≈ 0.031.
        var ci = Bootstrap.Accuracy([Items(500, 1000)], resamples: 4000);
        Assert.InRange(ci.HalfWidth, 0.026, 0.036);
        Assert.True(ci.Contains(0.5));
    }

    [Fact]
    public void AnIntervalNarrowsWithMoreItems()
    {
        var small = Bootstrap.Accuracy([Items(50, 100)]);
        var large = Bootstrap.Accuracy([Items(2000, 4000)]);
        Assert.True(large.HalfWidth < small.HalfWidth / 3, $"{large} vs {small}");
    }

    [Fact]
    public void SpreadBetweenSeedsWidensTheInterval()
    {
        // Same pooled accuracy; seeds that disagree give a wider interval than seeds that agree.
        var agree = Bootstrap.Accuracy([Items(500, 1000), Items(500, 1000), Items(500, 1000)]);
        var disagree = Bootstrap.Accuracy([Items(200, 1000), Items(500, 1000), Items(800, 1000)]);
        Assert.Equal(agree.Mean, disagree.Mean, 12);
        Assert.True(disagree.HalfWidth > 3 * agree.HalfWidth, $"{disagree} vs {agree}");
    }

    [Fact]
    public void IdenticalMethodsDifferByExactlyZero()
    {
        var rng = new Random(3);
        var seeds = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 200).Select(_ => rng.Next(2) == 1).ToArray()).ToList();
        var d = Bootstrap.PairedDifference(seeds.Select(s => (s, s)).ToList());
        Assert.Equal(new Interval(0, 0, 0), d);
        Assert.True(d.Contains(0));
        Assert.False(d.ExcludesZeroAbove);
    }

    [Fact]
    public void ExchangeableMethodsHaveADifferenceIntervalAroundZero()
    {
        var rng = new Random(5);
        var pairs = Enumerable.Range(0, 3).Select(_ => (
            Enumerable.Range(0, 400).Select(_ => rng.NextDouble() < 0.7).ToArray(),
            Enumerable.Range(0, 400).Select(_ => rng.NextDouble() < 0.7).ToArray())).ToList();
        var d = Bootstrap.PairedDifference(pairs);
        Assert.True(d.Contains(0), d.ToString());
    }

    [Fact]
    public void AConsistentGainIsAWinAndItsMirrorIsALoss()
    {
        // A right on every item, B right on 90%: the difference is +0.1 and its interval excludes 0.
        var a = Items(100, 100);
        var b = Items(90, 100);
        var d = Bootstrap.PairedDifference([(a, b), (a, b)]);
        Assert.Equal(0.1, d.Mean, 12);
        Assert.True(d.ExcludesZeroAbove, d.ToString());
        var mirror = Bootstrap.PairedDifference([(b, a), (b, a)]);
        Assert.Equal(-0.1, mirror.Mean, 12);
        Assert.True(mirror.ExcludesZeroBelow, mirror.ToString());
    }

    [Fact]
    public void PairingIsTighterThanIndependentIntervals()
    {
        // B = A with 10 of 1000 items flipped to wrong: both accuracies have ±3 pt intervals, the paired difference is
        // about +1 pt with an interval far narrower than their sum, and above 0.
        var rng = new Random(9);
        var a = Enumerable.Range(0, 1000).Select(_ => rng.Next(2) == 1).ToArray();
        var b = (bool[])a.Clone();
        int flipped = 0;
        for (int i = 0; i < b.Length && flipped < 10; i++) if (b[i]) { b[i] = false; flipped++; }
        var d = Bootstrap.PairedDifference([(a, b)]);
        Assert.Equal(0.01, d.Mean, 12);
        Assert.True(d.ExcludesZeroAbove, d.ToString());
        Assert.True(d.HalfWidth < Bootstrap.Accuracy([a]).HalfWidth / 2);
    }

    [Fact]
    public void ResultsAreReproducibleForAFixedSeed()
    {
        var seeds = new[] { Items(30, 50), Items(20, 50) };
        Assert.Equal(Bootstrap.Accuracy(seeds), Bootstrap.Accuracy(seeds));
        Assert.Equal(Bootstrap.PairedDifference([(seeds[0], seeds[1])]), Bootstrap.PairedDifference([(seeds[0], seeds[1])]));
    }

    [Fact]
    public void QuantilesInterpolateAsNumpy()
    {
        double[] xs = [1, 2, 3, 4];
        Assert.Equal(1.075, Bootstrap.Quantile(xs, 0.025), 12);
        Assert.Equal(3.925, Bootstrap.Quantile(xs, 0.975), 12);
        Assert.Equal(2.5, Bootstrap.Quantile(xs, 0.5), 12);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Bootstrap.Accuracy([]));
        Assert.Throws<ArgumentException>(() => Bootstrap.Accuracy([Array.Empty<bool>()]));
        Assert.Throws<ArgumentException>(() => Bootstrap.PairedDifference([(Items(1, 2), Items(1, 3))]));
    }
}
