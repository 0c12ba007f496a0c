using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using TracrInjection.Cli.LanguageModel;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Experiments;
using TracrInjection.Injection.Training;

namespace TracrInjection.Cli.Injection;

/// <summary>
/// What the tracr-injection commands (<c>inject</c>, <c>evaluate</c>, <c>compare</c>, <c>demo</c>; one file each) share:
/// their registration, exit codes, error guard, training progress and result tables. Exit codes: 0 success,
/// 2 bad input or missing files (one <c>error:</c> line on stderr), 3 training diverged (NaN/inf loss; the last good
/// checkpoint is kept), 130 stopped by Ctrl+C after writing a checkpoint, 1 an unexpected internal failure.
/// </summary>
public static class InjectionCommandSupport
{
    public const int ExitDiverged = 3;
    public const int ExitCancelled = 130;

    /// <summary>The commands, writing to the process's console.</summary>
    public static IEnumerable<Command> Create() => Create(new CliContext
    {
        Out = Console.Out,
        Err = Console.Error,
        Console = AnsiConsole.Console,
    });

    public static IEnumerable<Command> Create(CliContext ctx) =>
    [
        InjectCommand.Create(ctx),
        EvaluateCommand.Create(ctx),
        CompareCommand.Create(ctx),
        DemoCommand.Create(ctx),
        ExperimentCommand.Create(ctx),
    ];

    /// <summary>Runs a command body: divergence is exit 3, bad input exit 2 (one line), as the other commands do.</summary>
    internal static int Guard(CliContext ctx, Func<int> body) => CliApp.Guard(ctx, () =>
    {
        try
        {
            return body();
        }
        catch (InjectionDivergedException ex)
        {
            ctx.Err.WriteLine("error: " + CliApp.OneLine(ex.Message));
            return ExitDiverged;
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("does not fit the teacher", StringComparison.Ordinal))
        {
            throw new CliException(ex.Message);
        }
    });

    /// <summary>"default" → the repository's models/default; anything else must be a model folder.</summary>
    internal static string ResolveModel(string model)
    {
        string dir = LanguageModelCommands.ResolveModelDirectory(model);
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new CliException($"'{model}' is not a model folder (no config.json); give a GPT-2 checkpoint folder (Hugging Face layout) or 'default'");
        return dir;
    }

    internal static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Trains with a progress bar (interactive console) or a plain line every few percent.</summary>
    internal static InjectionTrainingResult Train(InjectionTrainer trainer, CliContext ctx, string label, CancellationToken cancel, bool plain = false)
    {
        var o = trainer.Options;
        if (trainer.Step >= o.Steps)
        {
            ctx.Err.WriteLine($"{label}: already trained ({trainer.Step} steps)");
            return new InjectionTrainingResult(InjectionStop.Finished, trainer.Step, trainer.LastCheckpoint, 0);
        }
        double? lastVal = null;
        string Describe(InjectionProgress p)
        {
            lastVal = p.ValidationAccuracy ?? lastVal;
            string val = lastVal is { } v ? F($"  val {100 * v:F0}%") : "";
            return F($"{label} step {p.Step}/{p.TotalSteps}  ce {p.Losses.Ce:F3}  kl {p.Losses.Kl:F3}  alg {p.Losses.Algorithm:F3}  {p.StepsPerSecond:F2} st/s") + val;
        }
        if (!plain && ctx.Console.Profile.Capabilities.Interactive)
        {
            InjectionTrainingResult? result = null;
            ctx.Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .Start(pc =>
                {
                    var task = pc.AddTask(Markup.Escape(label + " starting"), maxValue: o.Steps);
                    task.Value = trainer.Step;
                    result = trainer.Train(cancel, p =>
                    {
                        task.Value = p.Step;
                        if (p.Step % Math.Max(1, o.LogInterval) == 0 || p.Step == p.TotalSteps) task.Description = Markup.Escape(Describe(p));
                    });
                });
            return result!;
        }
        long every = Math.Max(o.LogInterval, o.Steps / 20);
        return trainer.Train(cancel, p =>
        {
            if (p.Step % every != 0 && p.Step != p.TotalSteps) return;
            ctx.Err.WriteLine(Describe(p));
        });
    }

    /// <summary>Ctrl+C or SIGTERM stops training after the current step and writes a checkpoint.</summary>
    internal static T WithCtrlC<T>(Func<CancellationToken, T> body) => StopSignals.Run(body);

    /// <summary>A split-by-split accuracy table of one or two runs.</summary>
    internal static void PrintTable(CliContext ctx, string task, IReadOnlyList<(string Name, RunMetrics Metrics)> runs)
    {
        var splits = runs.SelectMany(r => r.Metrics.Accuracy.Keys).Distinct().ToList();
        var columns = new List<string> { $"{task}: split" };
        columns.AddRange(runs.Select(r => r.Name));
        if (runs.Count == 2) columns.Add("difference");
        var table = TextOut.Table(columns.ToArray());
        foreach (var s in splits)
        {
            var cells = new List<string> { s };
            var values = runs.Select(r => r.Metrics.Accuracy.TryGetValue(s, out var v) ? v : double.NaN).ToList();
            cells.AddRange(values.Select(Pct));
            if (runs.Count == 2) cells.Add(double.IsFinite(values[0]) && double.IsFinite(values[1]) ? F($"{100 * (values[0] - values[1]):+0.0;-0.0;0.0} pt") : "–");
            TextOut.Row(table, cells.ToArray());
        }
        if (runs.Any(r => r.Metrics.Perplexity is not null))
        {
            var cells = new List<string> { "held-out perplexity (before → after)" };
            cells.AddRange(runs.Select(r => r.Metrics.Perplexity is { } p ? F($"{p.Before:F1} → {p.After:F1}") : "–"));
            if (runs.Count == 2) cells.Add("");
            TextOut.Row(table, cells.ToArray());
        }
        if (runs.Any(r => r.Metrics.Decodability is not null))
        {
            var cells = new List<string> { "decodability (last aligned layer)" };
            cells.AddRange(runs.Select(r => r.Metrics.Decodability is { } d ? Pct(d.MeanAtLastLayer) : "–"));
            if (runs.Count == 2) cells.Add("");
            TextOut.Row(table, cells.ToArray());
        }
        var tokenizers = runs.SelectMany(r => r.Metrics.RetainedAbility?.Rows ?? []).Select(r => r.Tokenizer).Distinct().ToList();
        foreach (var tok in tokenizers)
        {
            var rows = runs.Select(r => r.Metrics.RetainedAbility?.Rows.FirstOrDefault(x => x.Tokenizer == tok)).ToList();
            var files = rows.Where(x => x is not null).SelectMany(x => x!.PerplexityBefore.Keys).Distinct().ToList();
            var figures = files.Select(f => ($"lm-eval {tok}: perplexity {f}", (Func<RetainedAbilityRow, (double, double)>)(x => (x.PerplexityBefore.GetValueOrDefault(f, double.NaN), x.PerplexityAfter.GetValueOrDefault(f, double.NaN))), false))
                .Append(($"lm-eval {tok}: cloze", x => (x.ClozeBefore, x.ClozeAfter), true))
                .Append(($"lm-eval {tok}: 2-shot choice", x => (x.ChoiceBefore, x.ChoiceAfter), true));
            foreach (var (name, get, percent) in figures)
            {
                var cells = new List<string> { name };
                string V(double v) => percent ? Pct(v) : double.IsFinite(v) ? F($"{v:F1}") : "–";
                cells.AddRange(rows.Select(x => x is null ? "–" : $"{V(get(x).Item1)} → {V(get(x).Item2)}"));
                if (runs.Count == 2)
                    cells.Add(rows[0] is { } a && rows[1] is { } b
                        ? percent ? F($"{100 * (get(a).Item2 - get(b).Item2):+0.0;-0.0;0.0} pt after") : F($"{get(a).Item2 - get(b).Item2:+0.0;-0.0;0.0} after")
                        : "");
                TextOut.Row(table, cells.ToArray());
            }
        }
        var train = new List<string> { "training steps (seconds)" };
        train.AddRange(runs.Select(r => F($"{r.Metrics.Steps} ({r.Metrics.TrainingSeconds:F0} s)")));
        if (runs.Count == 2) train.Add("");
        TextOut.Row(table, train.ToArray());
        ctx.Console.Write(table);
    }

    /// <summary>
    /// Each run's accuracy per split with a 95% bootstrap interval over its items, and, for two runs evaluated on the same
    /// items (same task, seed and sizes), the paired difference A − B with its interval and the win marker.
    /// </summary>
    internal static void PrintIntervals(CliContext ctx, string task, IReadOnlyList<(string Name, string Directory)> runs)
    {
        var items = runs.Select(r => ItemResults.Load(r.Directory)).ToList();
        if (items.Any(i => i is null)) return;
        var splits = items.SelectMany(i => i!.Splits.Keys).Distinct().ToList();
        var columns = new List<string> { $"{task}: split (95% interval)" };
        columns.AddRange(runs.Select(r => r.Name));
        if (runs.Count == 2) columns.AddRange(["difference", "win"]);
        var table = TextOut.Table(columns.ToArray());
        foreach (var s in splits)
        {
            var per = items.Select(i => i!.Split(s)).ToList();
            var cells = new List<string> { s };
            cells.AddRange(per.Select(p => p is { Length: > 0 } ? Cell(Bootstrap.Accuracy([p])) : "–"));
            if (runs.Count == 2)
            {
                if (per[0] is { Length: > 0 } a && per[1] is { Length: > 0 } b && a.Length == b.Length)
                {
                    var d = Bootstrap.PairedDifference([(a, b)]);
                    cells.Add(ExperimentMarkdown.Points(d));
                    cells.Add(s == ExperimentSummary.NeverAWin ? "(not counted)" : d.ExcludesZeroAbove ? "win" : d.ExcludesZeroBelow ? "loss" : "");
                }
                else cells.AddRange(["–", ""]);
            }
            TextOut.Row(table, cells.ToArray());
        }
        ctx.Console.Write(table);
    }

    static string Cell(TracrInjection.Injection.Experiments.Interval i) => ExperimentMarkdown.Pct(i.Mean, i.Low, i.High);

    internal static string Pct(double v) => double.IsFinite(v) ? F($"{100 * v:0.0}%") : "–";

    /// <summary>Prints {"task": ..., "injection": {...}, "baseline": {...}} (or "run_a"/"run_b" when the roles are not one of each).</summary>
    internal static void WriteJson(CliContext ctx, string task, RunMetrics a, RunMetrics b)
    {
        (string, string) keys = ("run_a", "run_b");
        if (a.Method == "baseline" && b.Method == "injection") (a, b) = (b, a);
        if (a.Method == "injection" && b.Method == "baseline") keys = ("injection", "baseline");
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("task", task);
            foreach (var (key, m) in new[] { (keys.Item1, a), (keys.Item2, b) })
            {
                w.WriteStartObject(key);
                foreach (var (split, acc) in m.Accuracy)
                {
                    if (double.IsFinite(acc)) w.WriteNumber(split, Math.Round(acc, 6));
                    else w.WriteNull(split);
                }
                w.WriteEndObject();
            }
            if (a.RetainedAbility is not null || b.RetainedAbility is not null)
            {
                w.WriteStartObject("retained_ability");
                foreach (var (key, m) in new[] { (keys.Item1, a), (keys.Item2, b) })
                {
                    w.WritePropertyName(key);
                    JsonSerializer.Serialize(w, m.RetainedAbility, TracrInjection.Injection.Options.InjectionOptions.Json);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        ctx.Out.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
