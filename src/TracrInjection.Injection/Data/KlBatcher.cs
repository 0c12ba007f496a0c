using TracrInjection.Injection.Tasks;

namespace TracrInjection.Injection.Data;

/// <summary>
/// KL batches: window order shuffled per epoch from the seed, so batch k is a pure function of k (a resumed run sees
/// the same text). Windows are right-padded with EOS to the fixed length and no attention mask is used (the paper).
/// </summary>
public sealed class KlBatcher(IKlTextSource source, int batchSize, int length, int padId, long seed)
{
    private readonly Dictionary<long, int[]> _orders = new();

    public long[] Batch(long step)
    {
        if (source.Count == 0) throw new InvalidOperationException("the KL text source is empty");
        var ids = new long[batchSize * length];
        for (int b = 0; b < batchSize; b++)
        {
            long j = step * batchSize + b;
            long epoch = j / source.Count;
            int index = Order(epoch)[j % source.Count];
            var w = source.Window(index);
            for (int t = 0; t < length; t++) ids[b * length + t] = t < w.Length ? w[t] : padId;
        }
        return ids;
    }

    private int[] Order(long epoch)
    {
        if (_orders.TryGetValue(epoch, out var o)) return o;
        if (_orders.Count > 2) _orders.Clear();
        return _orders[epoch] = Seeds.Permutation(source.Count, Seeds.Rng(seed, "kl/order", epoch));
    }
}
