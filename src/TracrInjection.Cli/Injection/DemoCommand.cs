using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Plots;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;

namespace TracrInjection.Cli.Injection;

/// <summary>
/// <c>demo [--json]</c>: on the embedded default model, injects one task and trains its baseline with the same budget,
/// evaluates both and prints the table (or JSON), writing the runs and plots under <c>--out</c>. Sized to finish in
/// about 15 minutes on 2 CPU cores.
/// </summary>
public static class DemoCommand
{
    /// <summary>Training steps of each demo run.</summary>
    public const long DefaultSteps = 600;

    /// <summary>The demo's settings per task (reduced from the paper's so that both runs fit the time budget on a CPU).</summary>
    public static InjectionOptions DemoOptions(string task, long seed, long? steps = null)
    {
        var def = InjectionTask.Get(task);
        var o = InjectionOptions.ForPreset(InjectionPreset.Improved, def.Name) with
        {
            Seed = seed,
            Steps = steps ?? DefaultSteps,
            BatchSize = 16,
            KlBatchSize = 2,
            LmLearningRate = 5e-4,
            AdapterLearningRate = 5e-3,
            GradientClip = 1,
            WarmupSteps = 20,
            RollWarmupSteps = (steps ?? DefaultSteps) / 2,
            Threads = 1,
            CheckpointInterval = 100,
            LogInterval = 10,
            ValidationInterval = 0,
            Data = new TaskDataOptions { PoolSize = def.Kind == InjectionTaskKind.Count ? 100_000 : 200_000, MaxTestSize = 4000, OodSize = 4000 },
        };
        return o with
        {
            Evaluation = o.Evaluation with
            {
                MaxItemsPerSplit = 400, DecodeItems = 64, CausalItems = 200, PerplexityWindows = 32,
                LanguageClozePassages = 200, LanguageChoiceItems = 200, LanguagePerplexityWindows = 16,
            },
        };
    }

    public static Command Create(CliContext ctx)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"task\": ..., \"injection\": {split: accuracy, ...}, \"baseline\": {...}} instead of the table." };
        var model = new Option<string>("--model", "-m") { Description = "Starting model (default: the embedded default model).", HelpName = "DIR|default", DefaultValueFactory = _ => "default" };
        var task = new Option<string>("--task", "-t") { Description = "Task of the demo.", HelpName = "sum|count|dyck", DefaultValueFactory = _ => "dyck" };
        var steps = new Option<long?>("--steps") { Description = "Training steps of each run (default 600; detach-and-roll starts at half of them).", HelpName = "N" };
        var seed = new Option<long>("--seed") { Description = "Seed of data, adapter and dropout.", DefaultValueFactory = _ => 42 };
        var output = new Option<string?>("--out", "-o") { Description = "Folder of the two runs (default runs/demo-<task>-seed<S>); existing finished runs are reused.", HelpName = "DIR" };
        var fresh = new Option<bool>("--fresh") { Description = "Delete the demo's previous runs in --out first." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines instead of progress bars." };
        var minutes = new Option<double>("--max-minutes") { Description = "Time budget of the whole demo: if the injection run would not leave time for the rest, it stops early and the baseline trains as many steps.", DefaultValueFactory = _ => 14 };
        var cmd = new Command("demo",
            "The one-command demo: inject a RASP algorithm (default: shuffle-Dyck-3) into the embedded default model, train the baseline " +
            "(answer CE + KL only) with the same budget, evaluate both in-distribution and on the OOD splits, print the table and write the plots.");
        cmd.Options.Add(json);
        cmd.Options.Add(model);
        cmd.Options.Add(task);
        cmd.Options.Add(steps);
        cmd.Options.Add(seed);
        cmd.Options.Add(output);
        cmd.Options.Add(fresh);
        cmd.Options.Add(plain);
        cmd.Options.Add(minutes);
        cmd.SetAction(parse => InjectionCommandSupport.Guard(ctx, () =>
        {
            var clock = Stopwatch.StartNew();
            var def = InjectCommand.Wrap(() => InjectionTask.Get(parse.GetValue(task)!));
            long s = parse.GetValue(seed);
            long? n = parse.GetValue(steps);
            if (n is < 1) throw new CliException($"--steps must be at least 1 (got {n})");
            string modelName = parse.GetValue(model)!;
            string modelDir = InjectionCommandSupport.ResolveModel(modelName);
            string root = Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("runs", $"demo-{def.Name}-seed{s}"));
            if (parse.GetValue(fresh))
                foreach (var sub in new[] { "injection", "baseline" })
                {
                    string d = Path.Combine(root, sub);
                    if (File.Exists(Path.Combine(d, RunFolder.ConfigFile))) Directory.Delete(d, recursive: true);
                }

            double budget = parse.GetValue(minutes);
            if (!(budget > 0)) throw new CliException($"--max-minutes must be positive (got {budget})");

            // Both runs are created (or resumed) first, then trained side by side, one torch thread each.
            var names = new[] { "injection", "baseline" };
            var trainers = new InjectionTrainer?[2];
            try
            {
                for (int i = 0; i < 2; i++)
                {
                    bool baseline = i == 1;
                    string dir = Path.Combine(root, names[i]);
                    var o = DemoOptions(def.Name, s, n) with { Baseline = baseline };
                    if (File.Exists(Path.Combine(dir, RunFolder.ConfigFile)))
                    {
                        trainers[i] = InjectionTrainer.Resume(dir, steps: RunFolder.Open(dir).Config.Options.Steps);
                        if (trainers[i]!.Step < trainers[i]!.Options.Steps) ctx.Err.WriteLine($"{names[i]}: resuming '{dir}' at step {trainers[i]!.Step}");
                    }
                    else
                    {
                        var t = trainers[i] = InjectionTrainer.Create(dir, modelDir, o, modelName, command: "demo");
                        ctx.Err.WriteLine($"{names[i]}: {def.Name}, {o.Steps} steps of {o.BatchSize} on '{modelDir}' ({t.Model.Config.NLayer} blocks × {t.Model.Config.NEmbd}); " +
                                          (baseline ? "answer CE + KL" : $"teacher {t.Teacher.Layers.Count} layers × {t.Teacher.ResidualWidth}; {t.Alignment.Note}"));
                    }
                }
                var cfg = trainers[0]!.Model.Config;
                bool parallel = cfg.ResidPdrop == 0 && cfg.EmbdPdrop == 0 && cfg.AttnPdrop == 0; // dropout draws from torch's global generator
                var trainBudget = TimeSpan.FromMinutes(budget * (parallel ? 0.75 : 0.4)) - clock.Elapsed;
                bool[] trained = new bool[2];
                var stop = InjectionCommandSupport.WithCtrlC(token =>
                {
                    using var timer = new CancellationTokenSource(trainBudget > TimeSpan.Zero ? trainBudget : TimeSpan.FromSeconds(1));
                    using var link = CancellationTokenSource.CreateLinkedTokenSource(token, timer.Token);
                    var results = TrainRuns(trainers!, names, ctx, link.Token, parse.GetValue(plain), parallel);
                    for (int i = 0; i < 2; i++)
                    {
                        if (results[i] is null) continue;
                        trained[i] = true;
                        if (results[i]!.Stop != InjectionStop.Cancelled) continue;
                        if (token.IsCancellationRequested) return true;
                        ctx.Err.WriteLine($"{names[i]}: the time budget ran out at step {trainers[i]!.Step} of {trainers[i]!.Options.Steps}; the run ends there");
                        trainers[i]!.EndHere();
                    }
                    return false;
                });
                if (stop)
                {
                    ctx.Out.WriteLine("stopped; run the same demo command again to continue");
                    return InjectionCommandSupport.ExitCancelled;
                }
                foreach (var t in trainers) t?.Dispose();
                Array.Clear(trainers);

                var metrics = new RunMetrics[2];
                var evaluate = Enumerable.Range(0, 2).Select(i => System.Threading.Tasks.Task.Run(() =>
                {
                    string dir = Path.Combine(root, names[i]);
                    var folder = RunFolder.Open(dir);
                    if (!trained[i] && File.Exists(folder.MetricsPath)) return RunEvaluator.ReadMetrics(dir);
                    ctx.Err.WriteLine($"{names[i]}: evaluating");
                    return RunEvaluator.Evaluate(dir, msg => ctx.Err.WriteLine($"{names[i]}: {msg}"));
                })).ToArray();
                if (parallel) System.Threading.Tasks.Task.WaitAll(evaluate);
                for (int i = 0; i < 2; i++) metrics[i] = evaluate[i].GetAwaiter().GetResult();
            var (inj, bas) = (metrics[0], metrics[1]);
            string plotPath = Path.Combine(root, "compare.png");
            InjectionPlots.AccuracyBars(inj.Accuracy.Keys.ToList(), [("injection", inj.Accuracy), ("baseline", bas.Accuracy)], plotPath,
                $"{def.Name}: tracr-injection vs baseline ({inj.Steps} steps each)");
            ctx.Err.WriteLine(InjectionCommandSupport.F($"demo finished in {clock.Elapsed.TotalMinutes:F1} min"));
            if (parse.GetValue(json)) InjectionCommandSupport.WriteJson(ctx, def.Name, inj, bas);
            else
            {
                InjectionCommandSupport.PrintTable(ctx, def.Name, [("injection", inj), ("baseline", bas)]);
                InjectionCommandSupport.PrintIntervals(ctx, def.Name, [("injection", Path.Combine(root, "injection")), ("baseline", Path.Combine(root, "baseline"))]);
                ctx.Out.WriteLine($"runs: {root}/injection, {root}/baseline (metrics.json, plots/); comparison plot: {plotPath}");
            }
            return CliApp.ExitOk;
            }
            finally
            {
                foreach (var t in trainers) t?.Dispose();
            }
        }));
        return cmd;
    }

    /// <summary>
    /// Trains the runs that are not finished yet, side by side on their own threads when <paramref name="parallel"/>
    /// (otherwise one after the other); one progress bar each. Null for a run that had nothing left to train.
    /// </summary>
    private static InjectionTrainingResult?[] TrainRuns(InjectionTrainer[] trainers, string[] names, CliContext ctx, CancellationToken cancel, bool plain, bool parallel)
    {
        var results = new InjectionTrainingResult?[trainers.Length];
        var todo = Enumerable.Range(0, trainers.Length).Where(i => trainers[i].Step < trainers[i].Options.Steps).ToList();
        if (todo.Count == 0) return results;
        string Describe(string name, InjectionProgress p) => InjectionCommandSupport.F(
            $"{name,-9} step {p.Step}/{p.TotalSteps}  ce {p.Losses.Ce:F3}  kl {p.Losses.Kl:F3}  alg {p.Losses.Algorithm:F3}  {p.StepsPerSecond:F2} st/s");
        void Run(Func<int, Action<InjectionProgress>> progressFor)
        {
            if (parallel)
            {
                var tasks = todo.Select(i => System.Threading.Tasks.Task.Factory.StartNew(
                    () => results[i] = trainers[i].Train(cancel, progressFor(i)), TaskCreationOptions.LongRunning)).ToArray();
                System.Threading.Tasks.Task.WaitAll(tasks);
            }
            else foreach (int i in todo) results[i] = trainers[i].Train(cancel, progressFor(i));
        }
        if (!plain && ctx.Console.Profile.Capabilities.Interactive)
        {
            ctx.Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .Start(pc =>
                {
                    var bars = todo.ToDictionary(i => i, i =>
                    {
                        var task = pc.AddTask(Markup.Escape(names[i] + " starting"), maxValue: trainers[i].Options.Steps);
                        task.Value = trainers[i].Step;
                        return task;
                    });
                    Run(i => p =>
                    {
                        bars[i].Value = p.Step;
                        if (p.Step % 5 == 0 || p.Step == p.TotalSteps) bars[i].Description = Markup.Escape(Describe(names[i], p));
                    });
                });
        }
        else
        {
            Run(i =>
            {
                long every = Math.Max(10, trainers[i].Options.Steps / 10);
                return p =>
                {
                    if (p.Step % every == 0 || p.Step == p.TotalSteps)
                        lock (ctx) ctx.Err.WriteLine(Describe(names[i], p));
                };
            });
        }
        return results;
    }
}
