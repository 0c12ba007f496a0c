using System.Globalization;
using System.Text.Json;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models;

namespace TracrInjection.Injection.Experiments;

/// <summary>One run of the matrix as its folder says (no model is loaded).</summary>
public sealed record ExperimentRunEntry
{
    public required string Task { get; init; }
    public required string Method { get; init; }
    public required long Seed { get; init; }
    /// <summary>The folder relative to the experiment folder.</summary>
    public required string Folder { get; init; }
    /// <summary>not_started, training, trained, evaluated.</summary>
    public required string Status { get; init; }
    public long Step { get; init; }
    public long Steps { get; init; }
    public double TrainingSeconds { get; init; }
    public double EvaluationSeconds { get; init; }
    public string? Preset { get; init; }
}

/// <summary>One method's accuracy on one split: mean over seeds with its interval, and each seed's accuracy.</summary>
public sealed record MethodAccuracy(double Mean, double Low, double High, IReadOnlyList<double> PerSeed, IReadOnlyList<long> Seeds, int ItemsPerSeed);

/// <summary>Both methods on one split, the paired difference injection − baseline and whether it is a win.</summary>
public sealed record SplitSummary
{
    public required string Split { get; init; }
    public required IReadOnlyDictionary<string, MethodAccuracy> Methods { get; init; }
    /// <summary>Injection − baseline, paired by seed and item; null without both methods on a common seed.</summary>
    public Interval? Difference { get; init; }
    public IReadOnlyList<long>? PairedSeeds { get; init; }
    /// <summary>The difference's interval lies above 0 (never for almost_balanced).</summary>
    public bool Win { get; init; }
    /// <summary>False for almost_balanced: all its labels are "no", so a constant answer scores 100%.</summary>
    public bool CountsAsWin { get; init; } = true;
}

/// <summary>Mean over seeds of a method's interpretability and retained-ability figures.</summary>
public sealed record MethodFigures
{
    /// <summary>Variable → decodability per aligned layer (mean over seeds; null before the variable is written).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double?>>? Decodability { get; init; }
    public IReadOnlyList<string>? DecodabilityLayers { get; init; }
    public double? DecodabilityAtLastLayer { get; init; }
    public CausalMetrics? Causal { get; init; }
    public CausalMetrics? CausalAbsolute { get; init; }
    /// <summary>Tokenizer → mean figures before/after.</summary>
    public IReadOnlyList<RetainedAbilityRow>? RetainedAbility { get; init; }
    public double? PerplexityBefore { get; init; }
    public double? PerplexityAfter { get; init; }
    public double TrainingSeconds { get; init; }
    public int Runs { get; init; }
}

public sealed record TaskSummary
{
    public required string Task { get; init; }
    public required IReadOnlyList<SplitSummary> Splits { get; init; }
    public required IReadOnlyDictionary<string, MethodFigures> Figures { get; init; }
}

/// <summary>
/// The experiment's summary, rebuilt from the run folders every time (so it continues across sessions): per task and
/// split, each method's mean over seeds with a 95% hierarchical bootstrap interval (<see cref="Bootstrap"/>), the
/// paired difference injection − baseline with its interval, and the win marker; the runs' cost; interpretability and
/// retained ability averaged over seeds.
/// </summary>
public sealed record ExperimentSummary
{
    public const string JsonFile = "summary.json";
    public const string MarkdownFile = "summary.md";
    public const string PlotsFolder = "plots";
    public const string Injection = "injection";
    public const string Baseline = "baseline";
    /// <summary>The split that is reported but never a win.</summary>
    public const string NeverAWin = "almost_balanced";

    public string? Commit { get; init; }
    public string? Command { get; init; }
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
    public int Resamples { get; init; }
    public int BootstrapSeed { get; init; }
    public required IReadOnlyList<ExperimentRunEntry> Runs { get; init; }
    public required IReadOnlyList<TaskSummary> Tasks { get; init; }
    public double TotalTrainingHours => Runs.Sum(r => r.TrainingSeconds) / 3600;
    public double TotalEvaluationHours => Runs.Sum(r => r.EvaluationSeconds) / 3600;

    /// <summary>The folder of one run: <c>OUT/&lt;task&gt;/&lt;method&gt;-seed&lt;S&gt;</c>.</summary>
    public static string RunDirectory(string experimentDirectory, string task, string method, long seed) =>
        Path.Combine(experimentDirectory, task, $"{method}-seed{seed}");

    /// <summary>What the run folder under <paramref name="dir"/> holds.</summary>
    public static ExperimentRunEntry Inspect(string experimentDirectory, string dir, string task, string method, long seed)
    {
        string rel = Path.GetRelativePath(experimentDirectory, dir);
        if (!File.Exists(Path.Combine(dir, RunFolder.ConfigFile)))
            return new ExperimentRunEntry { Task = task, Method = method, Seed = seed, Folder = rel, Status = "not_started" };
        var folder = RunFolder.Open(dir);
        var ckpt = folder.LatestCheckpoint();
        var state = ckpt is null ? null : InjectionCheckpoint.LoadState(ckpt);
        long steps = folder.Config.Options.Steps;
        bool trained = state is { } s && s.Step >= steps && s.Finished;
        bool evaluated = trained && File.Exists(folder.MetricsPath) && File.Exists(Path.Combine(dir, ItemResults.FileName))
                         && File.GetLastWriteTimeUtc(folder.MetricsPath) >= File.GetLastWriteTimeUtc(Path.Combine(ckpt!, InjectionCheckpoint.StateFile));
        double evalSeconds = 0;
        if (evaluated)
            evalSeconds = RunEvaluator.ReadMetrics(dir).EvaluationSeconds;
        return new ExperimentRunEntry
        {
            Task = task, Method = method, Seed = seed, Folder = rel,
            Status = evaluated ? "evaluated" : trained ? "trained" : "training",
            Step = state?.Step ?? 0, Steps = steps, TrainingSeconds = state?.TrainingSeconds ?? 0, EvaluationSeconds = evalSeconds,
            Preset = folder.Config.Options.Preset.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>Every run folder under the experiment folder (<c>task/method-seedS</c>), planned or not.</summary>
    public static IReadOnlyList<ExperimentRunEntry> Scan(string experimentDirectory, IEnumerable<(string Task, string Method, long Seed)>? planned = null)
    {
        var found = new Dictionary<(string, string, long), ExperimentRunEntry>();
        if (Directory.Exists(experimentDirectory))
            foreach (var taskDir in Directory.GetDirectories(experimentDirectory).OrderBy(d => d, StringComparer.Ordinal))
                foreach (var runDir in Directory.GetDirectories(taskDir).OrderBy(d => d, StringComparer.Ordinal))
                {
                    string name = Path.GetFileName(runDir);
                    int at = name.LastIndexOf("-seed", StringComparison.Ordinal);
                    if (at < 0 || !long.TryParse(name[(at + 5)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed)) continue;
                    string method = name[..at];
                    if (method is not (Injection or Baseline) || !File.Exists(Path.Combine(runDir, RunFolder.ConfigFile))) continue;
                    string task = Path.GetFileName(taskDir);
                    found[(task, method, seed)] = Inspect(experimentDirectory, runDir, task, method, seed);
                }
        foreach (var (t, m, s) in planned ?? [])
            if (!found.ContainsKey((t, m, s)))
                found[(t, m, s)] = Inspect(experimentDirectory, RunDirectory(experimentDirectory, t, m, s), t, m, s);
        return found.Values.OrderBy(r => TaskOrder(r.Task)).ThenBy(r => r.Task, StringComparer.Ordinal)
            .ThenBy(r => r.Method == Injection ? 0 : 1).ThenBy(r => r.Seed).ToList();
    }

    static int TaskOrder(string task) => task switch { "dyck" => 0, "count" => 1, "sum" => 2, _ => 3 };

    /// <summary>Rebuilds the summary from the evaluated runs under <paramref name="experimentDirectory"/>.</summary>
    public static ExperimentSummary Build(string experimentDirectory, IEnumerable<(string Task, string Method, long Seed)>? planned = null,
        string? commit = null, string? command = null, int resamples = Bootstrap.DefaultResamples, int bootstrapSeed = Bootstrap.DefaultSeed)
    {
        var runs = Scan(experimentDirectory, planned);
        var tasks = new List<TaskSummary>();
        foreach (var group in runs.Where(r => r.Status == "evaluated").GroupBy(r => r.Task))
        {
            var loaded = group.Select(r =>
            {
                string dir = Path.Combine(experimentDirectory, r.Folder);
                return (Entry: r, Metrics: RunEvaluator.ReadMetrics(dir), Items: ItemResults.Load(dir));
            }).Where(x => x.Items is not null).ToList();
            if (loaded.Count == 0) continue;
            var splits = loaded.SelectMany(x => x.Metrics.Accuracy.Keys).Distinct().ToList();
            // count: in-distribution accuracy by answer digits, as extra rows.
            var rows = new List<(string Name, Func<ItemResults, bool[]?> Select)>();
            foreach (var s in splits)
            {
                rows.Add((s, it => it.Split(s)));
                if (s == InjectionTask.InDistribution && loaded.Any(x => x.Items!.InDistributionAnswerDigits is not null))
                    foreach (int d in loaded.SelectMany(x => x.Items!.InDistributionAnswerDigits ?? []).Distinct().Order())
                        rows.Add(($"{s} ({d}-digit answers)", it => it.Split(s) is { } all && it.InDistributionAnswerDigits is { } digits && digits.Count == all.Length
                            ? all.Where((_, i) => digits[i] == d).ToArray() : null));
            }
            var splitSummaries = new List<SplitSummary>();
            foreach (var (name, select) in rows)
            {
                var methods = new Dictionary<string, MethodAccuracy>(StringComparer.Ordinal);
                var bySeed = new Dictionary<string, Dictionary<long, bool[]>>();
                foreach (var m in new[] { Injection, Baseline })
                {
                    var seeds = loaded.Where(x => x.Entry.Method == m)
                        .Select(x => (x.Entry.Seed, Items: select(x.Items!))).Where(x => x.Items is { Length: > 0 }).OrderBy(x => x.Seed).ToList();
                    if (seeds.Count == 0) continue;
                    bySeed[m] = seeds.ToDictionary(x => x.Seed, x => x.Items!);
                    var ci = Bootstrap.Accuracy(seeds.Select(x => x.Items!).ToList(), resamples, bootstrapSeed);
                    methods[m] = new MethodAccuracy(ci.Mean, ci.Low, ci.High, seeds.Select(x => Bootstrap.Mean(x.Items!)).ToList(),
                        seeds.Select(x => x.Seed).ToList(), seeds.Min(x => x.Items!.Length));
                }
                Interval? diff = null;
                List<long>? paired = null;
                if (bySeed.TryGetValue(Injection, out var inj) && bySeed.TryGetValue(Baseline, out var bas))
                {
                    paired = inj.Keys.Where(k => bas.ContainsKey(k) && bas[k].Length == inj[k].Length).Order().ToList();
                    if (paired.Count > 0)
                        diff = Bootstrap.PairedDifference(paired.Select(k => (inj[k], bas[k])).ToList(), resamples, bootstrapSeed);
                }
                bool countable = name != NeverAWin;
                splitSummaries.Add(new SplitSummary
                {
                    Split = name, Methods = methods, Difference = diff, PairedSeeds = paired,
                    CountsAsWin = countable, Win = countable && diff is { ExcludesZeroAbove: true },
                });
            }
            var figures = new Dictionary<string, MethodFigures>(StringComparer.Ordinal);
            foreach (var m in new[] { Injection, Baseline })
            {
                var ms = loaded.Where(x => x.Entry.Method == m).Select(x => x.Metrics).ToList();
                if (ms.Count > 0) figures[m] = Figures(ms, loaded.Where(x => x.Entry.Method == m).Sum(x => x.Entry.TrainingSeconds));
            }
            tasks.Add(new TaskSummary { Task = group.Key, Splits = splitSummaries, Figures = figures });
        }
        return new ExperimentSummary
        {
            Commit = commit, Command = command, Resamples = resamples, BootstrapSeed = bootstrapSeed, Runs = runs, Tasks = tasks,
        };
    }

    static MethodFigures Figures(IReadOnlyList<RunMetrics> ms, double trainingSeconds)
    {
        static double? Mean(IEnumerable<double?> xs)
        {
            var v = xs.Where(x => x is { } d && double.IsFinite(d)).Select(x => x!.Value).ToList();
            return v.Count == 0 ? null : v.Average();
        }
        static IReadOnlyList<double> MeanLists(IEnumerable<IReadOnlyList<double>> lists)
        {
            var l = lists.ToList();
            return Enumerable.Range(0, l.Min(x => x.Count)).Select(i => l.Average(x => x[i])).ToList();
        }
        static CausalMetrics? MeanCausal(List<CausalMetrics> cs) => cs.Count == 0 ? null
            : new CausalMetrics(cs[0].Block, cs[0].SubspaceDimension, cs.Average(c => c.NormScale), MeanLists(cs.Select(c => c.Norms)),
                MeanLists(cs.Select(c => c.ResultSubspace)), MeanLists(cs.Select(c => c.RandomSubspace)), cs.Sum(c => c.Items))
            {
                IsotropicSubspace = cs.All(c => c.IsotropicSubspace is { Count: > 0 }) ? MeanLists(cs.Select(c => c.IsotropicSubspace!)) : null,
            };

        var decs = ms.Where(m => m.Decodability is not null).Select(m => m.Decodability!).ToList();
        Dictionary<string, IReadOnlyList<double?>>? dec = null;
        List<string>? layers = null;
        if (decs.Count > 0)
        {
            var d0 = decs[0];
            layers = d0.HiddenStates.Select((h, k) => $"h{h}↔r{d0.TeacherLayers[k]}").ToList();
            dec = d0.Variables.Keys.OrderBy(k => k, StringComparer.Ordinal).ToDictionary(k => k, k => (IReadOnlyList<double?>)Enumerable.Range(0, d0.Variables[k].Length)
                .Select(i => Mean(decs.Select(d => d.Variables.TryGetValue(k, out var v) && i < v.Length ? v[i] : null))).ToList());
        }
        var retained = ms.Where(m => m.RetainedAbility is not null).Select(m => m.RetainedAbility!).ToList();
        List<RetainedAbilityRow>? rows = null;
        if (retained.Count > 0)
            rows = retained[0].Rows.Select((r0, i) =>
            {
                var all = retained.Where(r => r.Rows.Count > i && r.Rows[i].Tokenizer == r0.Tokenizer).Select(r => r.Rows[i]).ToList();
                IReadOnlyDictionary<string, double> MeanDict(Func<RetainedAbilityRow, IReadOnlyDictionary<string, double>> f) =>
                    f(r0).Keys.ToDictionary(k => k, k => all.Average(r => f(r).GetValueOrDefault(k, double.NaN)));
                return new RetainedAbilityRow
                {
                    Tokenizer = r0.Tokenizer, PerplexityBefore = MeanDict(r => r.PerplexityBefore), PerplexityAfter = MeanDict(r => r.PerplexityAfter),
                    ClozeBefore = all.Average(r => r.ClozeBefore), ClozeAfter = all.Average(r => r.ClozeAfter),
                    ChoiceBefore = all.Average(r => r.ChoiceBefore), ChoiceAfter = all.Average(r => r.ChoiceAfter),
                };
            }).ToList();
        return new MethodFigures
        {
            Decodability = dec, DecodabilityLayers = layers, DecodabilityAtLastLayer = Mean(decs.Select(d => (double?)d.MeanAtLastLayer)),
            Causal = MeanCausal(ms.Where(m => m.Causal is not null).Select(m => m.Causal!).ToList()),
            CausalAbsolute = MeanCausal(ms.Where(m => m.CausalAbsolute is not null).Select(m => m.CausalAbsolute!).ToList()),
            RetainedAbility = rows,
            PerplexityBefore = Mean(ms.Select(m => m.Perplexity?.Before)), PerplexityAfter = Mean(ms.Select(m => m.Perplexity?.After)),
            TrainingSeconds = trainingSeconds, Runs = ms.Count,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, InjectionOptions.Json);

    public static ExperimentSummary FromJson(string json) =>
        JsonSerializer.Deserialize<ExperimentSummary>(json, InjectionOptions.Json) ?? throw new InvalidDataException("empty summary");

    /// <summary>Writes summary.json, summary.md and the plots into the experiment folder, each file atomically.</summary>
    public void Write(string experimentDirectory)
    {
        Directory.CreateDirectory(experimentDirectory);
        AtomicFile.WriteAllText(Path.Combine(experimentDirectory, JsonFile), ToJson() + "\n");
        AtomicFile.WriteAllText(Path.Combine(experimentDirectory, MarkdownFile), ExperimentMarkdown.Render(this));
        ExperimentPlots.Write(this, experimentDirectory);
    }
}
