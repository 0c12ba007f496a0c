using System.CommandLine;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Plots;

namespace TracrInjection.Cli.Injection;

/// <summary><c>compare RUN_A RUN_B [--json] [--plot FILE]</c>: side-by-side accuracy per split of two evaluated runs, and a bar plot.</summary>
public static class CompareCommand
{
    public static Command Create(CliContext ctx)
    {
        var a = new Argument<string>("RUN_A") { Description = "An evaluated run folder (for example the injection run)." };
        var b = new Argument<string>("RUN_B") { Description = "Another evaluated run folder (for example the baseline)." };
        var json = new Option<bool>("--json") { Description = "Print {\"task\": ..., \"injection\": {split: accuracy, ...}, \"baseline\": {...}} (run_a/run_b when the runs are not one of each)." };
        var plot = new Option<string?>("--plot") { Description = "Where to write the accuracy bar plot (default: RUN_A/plots/compare.png).", HelpName = "FILE" };
        var cmd = new Command("compare", "Compare two evaluated runs (typically injection vs baseline): accuracy on every split side by side, and a bar plot.");
        cmd.Arguments.Add(a);
        cmd.Arguments.Add(b);
        cmd.Options.Add(json);
        cmd.Options.Add(plot);
        cmd.SetAction(parse => InjectionCommandSupport.Guard(ctx, () =>
        {
            string dirA = parse.GetValue(a)!, dirB = parse.GetValue(b)!;
            var ma = RunEvaluator.ReadMetrics(dirA);
            var mb = RunEvaluator.ReadMetrics(dirB);
            if (ma.Task != mb.Task) throw new CliException($"the runs are of different tasks ({ma.Task} and {mb.Task})");
            string nameA = Label(ma, mb, dirA), nameB = Label(mb, ma, dirB);
            string plotPath = parse.GetValue(plot) ?? Path.Combine(dirA, "plots", "compare.png");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(plotPath))!);
            var splits = ma.Accuracy.Keys.Concat(mb.Accuracy.Keys).Distinct().ToList();
            InjectionPlots.AccuracyBars(splits, [(nameA, ma.Accuracy), (nameB, mb.Accuracy)], plotPath, $"{ma.Task}: {nameA} vs {nameB}");
            if (parse.GetValue(json)) InjectionCommandSupport.WriteJson(ctx, ma.Task, ma, mb);
            else
            {
                InjectionCommandSupport.PrintTable(ctx, ma.Task, [(nameA, ma), (nameB, mb)]);
                InjectionCommandSupport.PrintIntervals(ctx, ma.Task, [(nameA, dirA), (nameB, dirB)]);
                ctx.Out.WriteLine($"plot: {Path.GetFullPath(plotPath)}");
            }
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The method name, or the folder name when both runs share it.</summary>
    private static string Label(RunMetrics m, RunMetrics other, string dir) =>
        m.Method != other.Method ? m.Method : Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar));
}
