using TracrInjection.Injection.Tasks;

namespace TracrInjection.Injection.Data;

/// <summary>Supervised batches: the training split visited in a per-epoch order drawn from the seed (pure function of the step).</summary>
public sealed class TrainBatcher(TaskSplit train, int batchSize, long seed)
{
    private readonly Dictionary<long, int[]> _orders = new();

    public IReadOnlyList<TaskExample> Batch(long step)
    {
        var items = new TaskExample[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            long j = step * batchSize + b;
            long epoch = j / train.Count;
            items[b] = train[Order(epoch)[j % train.Count]];
        }
        return items;
    }

    private int[] Order(long epoch)
    {
        if (_orders.TryGetValue(epoch, out var o)) return o;
        if (_orders.Count > 2) _orders.Clear();
        return _orders[epoch] = Seeds.Permutation(train.Count, Seeds.Rng(seed, "train/order", epoch));
    }
}
