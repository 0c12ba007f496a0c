
namespace TracrInjection.Injection.Data;

/// <summary>
/// One supervised batch in plain arrays: token ids [B, T] (right-padded with EOS), which positions are real tokens,
/// and the answer predictions to train: flat index b·T + p predicting ids[b, p+1].
/// </summary>
public sealed record SupervisedBatch(int BatchSize, int Length, long[] Ids, float[] RealMask, long[] CePositions, long[] CeTargets)
{
    public int RealTokens => (int)RealMask.Sum();
}
