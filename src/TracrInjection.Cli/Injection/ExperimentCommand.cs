using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Experiments;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;

namespace TracrInjection.Cli.Injection;

/// <summary>
/// <c>experiment --tasks dyck,count,sum --seeds 3 --preset improved --out runs/exp</c>: for each task × {injection,
/// baseline} × seed, trains (resuming interrupted runs, skipping finished ones), evaluates and rebuilds the summary
/// (summary.json, summary.md, plots/) from the run folders, after every run. Runs are <c>OUT/task/method-seedS</c>,
/// so the matrix continues across sessions: run the same command again.
/// </summary>
public static class ExperimentCommand
{
    public static Command Create(CliContext ctx)
    {
        var tasks = new Option<string>("--tasks") { Description = "Comma list of tasks.", HelpName = "dyck,count,sum", DefaultValueFactory = _ => "dyck,count,sum" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per task and method: --seed, --seed + 1, ...", HelpName = "N", DefaultValueFactory = _ => 3 };
        var model = new Option<string>("--model", "-m") { Description = "Starting GPT-2 checkpoint folder (Hugging Face layout), or 'default'.", HelpName = "DIR|default", DefaultValueFactory = _ => "default" };
        var output = new Option<string>("--out", "-o") { Description = "Experiment folder: run folders OUT/<task>/<method>-seed<S>, summary.json, summary.md, plots/.", HelpName = "DIR", DefaultValueFactory = _ => Path.Combine("runs", "exp") };
        var summaryOnly = new Option<bool>("--summary-only") { Description = "Only rebuild the summary from the run folders (no training, no evaluation)." };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples of the intervals.", HelpName = "N", DefaultValueFactory = _ => Bootstrap.DefaultResamples };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines instead of progress bars." };
        var flags = new InjectCommand.TrainingFlags();
        flags.Preset.DefaultValueFactory = _ => "improved";
        flags.Seed.DefaultValueFactory = _ => 1;
        var cmd = new Command("experiment",
            "Run the paper's experiment matrix: every task × {injection, baseline} × seed, trained (resuming interrupted runs, skipping finished ones), " +
            "evaluated at the paper's sizes (4000 items per split unless --eval-items) and summarised with bootstrap intervals and the paired " +
            "difference injection − baseline (summary.json, summary.md, plots/ in --out). Run the same command again to continue.");
        foreach (var o in new Option[] { tasks, seeds, model, output, summaryOnly, resamples, plain }) cmd.Options.Add(o);
        foreach (var o in flags.All) cmd.Options.Add(o);
        cmd.SetAction(parse => InjectionCommandSupport.Guard(ctx, () =>
        {
            var taskNames = parse.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => InjectCommand.Wrap(() => InjectionTask.Get(t)).Name).Distinct().ToList();
            if (taskNames.Count == 0) throw new CliException("give at least one task in --tasks");
            int n = parse.GetValue(seeds);
            if (n < 1) throw new CliException($"--seeds must be at least 1 (got {n})");
            int rs = parse.GetValue(resamples);
            if (rs < 1) throw new CliException($"--resamples must be at least 1 (got {rs})");
            long first = parse.GetValue(flags.Seed);
            string root = Path.GetFullPath(parse.GetValue(output)!);
            string command = "tracr-inject " + string.Join(' ', parse.Tokens.Select(t => t.Value));
            var plan = taskNames.SelectMany(t => Enumerable.Range(0, n).SelectMany(k => new[]
                { (Task: t, Method: ExperimentSummary.Injection, Seed: first + k), (Task: t, Method: ExperimentSummary.Baseline, Seed: first + k) })).ToList();
            string? commit = GitCommit();

            void Summarise()
            {
                var summary = ExperimentSummary.Build(root, plan, commit, command, rs);
                summary.Write(root);
            }

            if (parse.GetValue(summaryOnly))
            {
                Summarise();
                PrintSummary(ctx, root);
                return CliApp.ExitOk;
            }

            // Every run's options are built (and validated) before anything trains.
            var preset = parse.GetValue(flags.Preset) switch
            {
                "paper" => InjectionPreset.Paper,
                "improved" => InjectionPreset.Improved,
                var other => throw new CliException($"unknown preset '{other}': use paper or improved"),
            };
            var options = new Dictionary<(string, string, long), InjectionOptions>();
            foreach (var (t, m, s) in plan)
            {
                var start = TaskRecipes.For(preset, t);
                if (parse.GetValue(flags.Steps) is { } steps) start = TaskRecipes.WithSteps(start, steps);
                options[(t, m, s)] = flags.Build(parse, t, m == ExperimentSummary.Baseline, start) with { Seed = s };
            }
            string modelName = parse.GetValue(model)!;
            string modelDir = InjectionCommandSupport.ResolveModel(modelName);
            string cache = Path.Combine(root, ".lm-eval-cache");
            Directory.CreateDirectory(root);
            var clock = Stopwatch.StartNew();
            var progress = new MatrixProgress(ctx, plan.Count, parse.GetValue(plain));
            int done = 0;
            foreach (var (t, m, s) in plan)
            {
                string dir = ExperimentSummary.RunDirectory(root, t, m, s);
                string label = $"{t} {m} seed {s}";
                var entry = ExperimentSummary.Inspect(root, dir, t, m, s);
                if (entry.Status == "evaluated")
                {
                    progress.Line($"[{done + 1}/{plan.Count}] {label}: finished and evaluated, skipped");
                    done++;
                    continue;
                }
                if (entry.Status is "not_started" or "training")
                {
                    using var trainer = entry.Status == "not_started"
                        ? InjectionTrainer.Create(dir, modelDir, options[(t, m, s)], modelName, command: command)
                        : InjectionTrainer.Resume(dir);
                    progress.Line(entry.Status == "not_started"
                        ? $"[{done + 1}/{plan.Count}] {label}: {trainer.Options.Steps} steps of {trainer.Options.BatchSize} on '{modelDir}'" +
                          (m == ExperimentSummary.Baseline ? "" : $"; teacher {trainer.Teacher.Layers.Count} layers × {trainer.Teacher.ResidualWidth}; {trainer.Alignment.Note}")
                        : $"[{done + 1}/{plan.Count}] {label}: resuming at step {trainer.Step} of {trainer.Options.Steps}");
                    var result = InjectionCommandSupport.WithCtrlC(token => progress.Train(trainer, done, label, token));
                    if (result.Stop == InjectionStop.Cancelled)
                    {
                        Summarise();
                        ctx.Out.WriteLine($"stopped at {label} step {result.Step} (checkpoint written); run the same command again to continue");
                        return InjectionCommandSupport.ExitCancelled;
                    }
                }
                progress.Line($"[{done + 1}/{plan.Count}] {label}: evaluating");
                RunEvaluator.Evaluate(dir, msg => progress.Line($"  {label}: {msg}"), languageCache: cache);
                done++;
                Summarise();
                progress.Line(InjectionCommandSupport.F($"[{done}/{plan.Count}] {label}: done; {clock.Elapsed.TotalMinutes:F1} min so far"));
            }
            Summarise();
            PrintSummary(ctx, root);
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    static void PrintSummary(CliContext ctx, string root)
    {
        ctx.Out.Write(File.ReadAllText(Path.Combine(root, ExperimentSummary.MarkdownFile)));
        ctx.Out.WriteLine($"summary: {Path.Combine(root, ExperimentSummary.JsonFile)}, {Path.Combine(root, ExperimentSummary.MarkdownFile)}; plots: {Path.Combine(root, ExperimentSummary.PlotsFolder)}");
    }

    /// <summary>The repository's commit (with "-dirty" when the tree has changes), or null outside a git checkout.</summary>
    static string? GitCommit()
    {
        try
        {
            string repo = RepositoryPaths.FindRoot();
            var psi = new ProcessStartInfo("git", ["-C", repo, "describe", "--always", "--dirty", "--abbrev=40"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            string text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(10_000);
            return p.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or DirectoryNotFoundException or FileNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Progress of the whole matrix: runs done, the current run's step and ETA (Spectre bars or log lines).</summary>
    sealed class MatrixProgress(CliContext ctx, int runs, bool plain)
    {
        readonly bool _interactive = !plain && ctx.Console.Profile.Capabilities.Interactive;

        public void Line(string s)
        {
            if (_interactive) ctx.Console.MarkupLine(Markup.Escape(s));
            else lock (ctx) ctx.Err.WriteLine(s);
        }

        public InjectionTrainingResult Train(InjectionTrainer trainer, int done, string label, CancellationToken cancel)
        {
            var o = trainer.Options;
            string Describe(InjectionProgress p)
            {
                double eta = p.StepsPerSecond > 0 ? (p.TotalSteps - p.Step) / p.StepsPerSecond : double.NaN;
                return InjectionCommandSupport.F($"[{done + 1}/{runs}] {label} step {p.Step}/{p.TotalSteps}  ce {p.Losses.Ce:F3}  kl {p.Losses.Kl:F3}  alg {p.Losses.Algorithm:F3}  {p.StepsPerSecond:F2} st/s  ETA {eta / 60:F1} min");
            }
            if (_interactive)
            {
                InjectionTrainingResult? result = null;
                ctx.Console.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(pc =>
                    {
                        var matrix = pc.AddTask(Markup.Escape($"matrix: {done}/{runs} runs done"), maxValue: runs);
                        matrix.Value = done;
                        var run = pc.AddTask(Markup.Escape(label), maxValue: o.Steps);
                        run.Value = trainer.Step;
                        result = trainer.Train(cancel, p =>
                        {
                            run.Value = p.Step;
                            matrix.Value = done + (double)p.Step / p.TotalSteps;
                            if (p.Step % Math.Max(1, o.LogInterval) == 0 || p.Step == p.TotalSteps) run.Description = Markup.Escape(Describe(p));
                        });
                    });
                return result!;
            }
            long every = Math.Max(o.LogInterval, o.Steps / 20);
            return trainer.Train(cancel, p =>
            {
                if (p.Step % every == 0 || p.Step == p.TotalSteps) Line(Describe(p));
            });
        }
    }
}
