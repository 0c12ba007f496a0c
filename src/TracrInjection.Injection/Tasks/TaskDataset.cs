using TracrInjection.Injection.Presets;


namespace TracrInjection.Injection.Tasks;

/// <summary>
/// A task's data for one seed: the pool split into train / validation / test (as the paper's
/// <c>random_split</c> calls do: one random permutation, test last), and the OOD splits, built on first use.
/// Every split is a pure function of the seed, so a resumed run and its evaluation see the same items.
/// </summary>
public sealed class TaskDataset
{
    private readonly Dictionary<string, Lazy<TaskSplit>> _ood = new(StringComparer.Ordinal);

    public InjectionTask Task { get; }
    public TaskDataOptions Options { get; }
    public int PoolSize { get; }
    public TaskSplit Train { get; }
    public TaskSplit Validation { get; }
    /// <summary>The in-distribution test split.</summary>
    public TaskSplit Test { get; }
    public IReadOnlyList<string> OodSplitNames { get; }

    internal TaskDataset(InjectionTask task, TaskDataOptions options, InjectionFixes fixes)
    {
        Task = task;
        Options = options;
        long seed = options.Seed;
        switch (task.Kind)
        {
            case InjectionTaskKind.Sum:
            {
                PoolSize = SumTask.MaxInt * SumTask.MaxInt;
                var (train, val, test) = Split(PoolSize, seed, options);
                Train = new TaskSplit("train", train.Length, i => SumTask.PoolItem(train[i]));
                Validation = new TaskSplit("validation", val.Length, i => SumTask.PoolItem(val[i]));
                Test = new TaskSplit(InjectionTask.InDistribution, test.Length, i => SumTask.PoolItem(test[i]));
                _ood["length_ood"] = Lazy("length_ood", () => SumTask.LengthOod(Seeds.Rng(seed, "sum/length_ood"), options.OodSize));
                _ood["cascading_overflow"] = Lazy("cascading_overflow", () => SumTask.CascadingOverflow());
                _ood["decimals"] = Lazy("decimals", () => SumTask.Decimals(Seeds.Rng(seed, "sum/decimals"), options.OodSize));
                _ood["length_ood_4digit"] = Lazy("length_ood_4digit", () => SumTask.LengthOod(Seeds.Rng(seed, "sum/length_ood_4digit"), options.OodSize, honourMinInt: true));
                break;
            }
            case InjectionTaskKind.Count:
            {
                int requested = options.PoolSize ?? task.PaperPoolSize;
                var codes = CountTask.UniqueSequences(Seeds.Rng(seed, "count/pool"), requested);
                codes = codes.Where(c => CountTask.CountX(c) < CountTask.LengthOf(c)).ToArray(); // drop sequences without a y
                PoolSize = codes.Length;
                var (train, val, test) = Split(PoolSize, seed, options);
                Train = new TaskSplit("train", train.Length, i => CountTask.FromCode(codes[train[i]]));
                Validation = new TaskSplit("validation", val.Length, i => CountTask.FromCode(codes[val[i]]));
                var testSplit = new TaskSplit(InjectionTask.InDistribution, test.Length, i => CountTask.FromCode(codes[test[i]]));
                Test = testSplit;
                int tSize = test.Length;
                _ood["x_only"] = Lazy("x_only", () => CountTask.XOnly());
                _ood["replace_y"] = new Lazy<TaskSplit>(() => new TaskSplit("replace_y", testSplit.Count, i => CountTask.ReplaceY(testSplit[i])));
                _ood["length_ood"] = Lazy("length_ood", () =>
                {
                    var items = CountTask.UniqueLongSequences(Seeds.Rng(seed, "count/length_ood"), Math.Min(tSize, options.OodSize), CountTask.MaxSize * 3);
                    Seeds.Shuffle(items, Seeds.Rng(seed, "count/length_ood/shuffle"));
                    return items;
                });
                break;
            }
            case InjectionTaskKind.Program:
            {
                // Distinct random inputs over the vocabulary (every input when the space is small); labels from the RASP evaluator.
                var program = task.Program!;
                var codes = program.Pool(seed, options.PoolSize ?? task.PaperPoolSize);
                PoolSize = codes.Count;
                var (train, val, test) = Split(PoolSize, seed, options);
                Train = new TaskSplit("train", train.Length, i => program.Example(codes[train[i]]));
                Validation = new TaskSplit("validation", val.Length, i => program.Example(codes[val[i]]));
                Test = new TaskSplit(InjectionTask.InDistribution, test.Length, i => program.Example(codes[test[i]]));
                int ood = Math.Min(test.Length, options.OodSize);
                _ood["length_ood"] = Lazy("length_ood", () => program.LengthOod(seed, ood));
                break;
            }
            default:
            {
                int pool = options.PoolSize ?? task.PaperPoolSize;
                PoolSize = pool;
                var (train, val, test) = Split(pool, seed, options);
                TaskExample Item(int k) => DyckTask.PoolItem(seed, "dyck/pool", k, pool);
                Train = new TaskSplit("train", train.Length, i => Item(train[i]));
                Validation = new TaskSplit("validation", val.Length, i => Item(val[i]));
                Test = new TaskSplit(InjectionTask.InDistribution, test.Length, i => Item(test[i]));
                int tSize = test.Length;
                int ood = Math.Min(tSize, options.OodSize);
                _ood["almost_balanced"] = Lazy("almost_balanced", () => DyckTask.AlmostBalanced(Seeds.Rng(seed, "dyck/almost_balanced"), ood));
                _ood["ood_new_token"] = Lazy("ood_new_token", () => Enumerable.Range(0, options.OodSize)
                    .Select(k => DyckTask.PoolItem(seed, "dyck/ood_new_token", k, options.OodSize, DyckTask.MaxLength, DyckTask.ExtendedPairs)).ToList());
                _ood["length_ood"] = Lazy("length_ood", () =>
                {
                    var items = Enumerable.Range(0, ood)
                        .Select(k => DyckTask.PoolItem(seed, "dyck/length_ood", k, ood, DyckTask.MaxLength * DyckTask.LengthGenMult)).ToList();
                    Seeds.Shuffle(items, Seeds.Rng(seed, "dyck/length_ood/shuffle"));
                    return items;
                });
                break;
            }
        }
        OodSplitNames = task.OodSplits(fixes);
    }

    private static Lazy<TaskSplit> Lazy(string name, Func<List<TaskExample>> build) => new(() => new TaskSplit(name, build()));

    /// <summary>One permutation of the pool: train first, then validation, then test (the paper's random_split order).</summary>
    private static (int[] Train, int[] Validation, int[] Test) Split(int pool, long seed, TaskDataOptions o)
    {
        int test = Math.Min((int)(o.TestFraction * pool), o.MaxTestSize);
        int val = Math.Min(o.ValidationSize, Math.Max(0, pool - test - 1));
        int train = pool - test - val;
        if (train < 1) throw new ArgumentException($"a pool of {pool} items leaves nothing to train on");
        var perm = Seeds.Permutation(pool, Seeds.Rng(seed, "split"));
        return (perm[..train], perm[train..(train + val)], perm[(train + val)..]);
    }

    /// <summary>An OOD split by name (built on first use).</summary>
    public TaskSplit Ood(string name) =>
        _ood.TryGetValue(name, out var s) ? s.Value : throw new ArgumentException($"task {Task.Name} has no split '{name}'; splits: {string.Join(", ", _ood.Keys)}");

    /// <summary><see cref="InjectionTask.InDistribution"/> (the test split), "validation", "train" or an OOD split.</summary>
    public TaskSplit Split(string name) => name switch
    {
        InjectionTask.InDistribution or "test" => Test,
        "validation" => Validation,
        "train" => Train,
        _ => Ood(name),
    };

    /// <summary>The in-distribution test split followed by every evaluated OOD split.</summary>
    public IReadOnlyList<string> EvaluatedSplits => [InjectionTask.InDistribution, .. OodSplitNames];

    /// <summary>
    /// At most <paramref name="n"/> items of a split, a deterministic random subset (in split order) when the
    /// split is larger, so a reduced evaluation is not biased by the generators' order.
    /// </summary>
    public static TaskSplit Sample(TaskSplit split, int? n, long seed)
    {
        if (n is null || n >= split.Count) return split;
        var rng = Seeds.Rng(seed, "sample/" + split.Name);
        var chosen = Seeds.Permutation(split.Count, rng)[..n.Value];
        Array.Sort(chosen);
        return new TaskSplit(split.Name, chosen.Length, i => split[chosen[i]]);
    }
}
