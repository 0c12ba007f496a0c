using System.CommandLine;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Runs;

namespace TracrInjection.Cli.Injection;

/// <summary><c>evaluate --run RUN [--eval-items N] [--json]</c>: evaluates a trained run, writes metrics.json and the plots.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext ctx)
    {
        var run = new Option<string>("--run", "-r") { Description = "A run folder written by 'inject'.", HelpName = "RUN", Required = true };
        var items = new Option<int?>("--eval-items") { Description = "At most this many items per split (overrides the run's setting; paper: all, 4000).", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the metrics as JSON instead of a table." };
        var cmd = new Command("evaluate",
            "Evaluate a trained run: greedy exact-match accuracy on the in-distribution test split and every OOD split, held-out perplexity " +
            "before/after, and for injection runs the decodability of every RASP variable per layer and the causal noise test. " +
            "Writes metrics.json and plots/*.png into the run folder.");
        cmd.Options.Add(run);
        cmd.Options.Add(items);
        cmd.Options.Add(json);
        cmd.SetAction(parse => InjectionCommandSupport.Guard(ctx, () =>
        {
            string dir = parse.GetValue(run)!;
            var folder = RunFolder.Open(dir);
            if (parse.GetValue(items) is { } n)
            {
                if (n < 1) throw new CliException($"--eval-items must be at least 1 (got {n})");
                folder.WithConfig(folder.Config with { Options = folder.Config.Options with { Evaluation = folder.Config.Options.Evaluation with { MaxItemsPerSplit = n } } });
            }
            var metrics = RunEvaluator.Evaluate(dir, s => ctx.Err.WriteLine(s));
            if (parse.GetValue(json)) ctx.Out.WriteLine(metrics.ToJson());
            else
            {
                InjectionCommandSupport.PrintTable(ctx, metrics.Task, [(metrics.Method, metrics)]);
                InjectionCommandSupport.PrintIntervals(ctx, metrics.Task, [(metrics.Method, folder.Root)]);
                ctx.Out.WriteLine($"metrics: {folder.MetricsPath}; plots: {folder.PlotsDirectory}");
            }
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
