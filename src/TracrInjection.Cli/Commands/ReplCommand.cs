using System.CommandLine;
using TracrInjection.Cli.Repl;

namespace TracrInjection.Cli.Commands;

/// <summary><c>repl [FILE.rasp] [--example TEXT] [--quiet]</c>: the interactive RASP read-eval-print loop.</summary>
public static class ReplCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string?>("FILE") { Description = "A .rasp file to load first (its header sets the compile settings).", Arity = ArgumentArity.ZeroOrOne };
        var example = new Option<string>("--example") { Description = "The running example, as for 'set example' (default \"hello\").", HelpName = "TEXT" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No banner, and no echo of piped input lines." };
        var cmd = new Command("repl",
            "Interactive RASP: statements as in a .rasp file, each SOp shown on a running example and each selector as a 0/1 matrix; " +
            "'compile NAME', 'trace NAME' and 'run NAME' compile any defined SOp. Reads piped input too (then each input line is echoed).")
        {
            file, example, quiet,
        };
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            var session = new ReplSession(ctx.Out);
            bool interactive = ReferenceEquals(ctx.Out, Console.Out) && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            bool q = parse.GetValue(quiet);
            if (!q) session.Banner();
            if (parse.GetValue(example) is { } ex) session.Feed("set example " + ex);
            if (parse.GetValue(file) is { } path) session.Feed($"load \"{path.Replace("\\", "\\\\").Replace("\"", "\\\"")}\";");
            if (interactive)
            {
                var editor = new LineEditor(session.History);
                bool treat = Console.TreatControlCAsInput;
                Console.TreatControlCAsInput = true;
                try
                {
                    session.Run(editor.ReadLine);
                }
                finally
                {
                    Console.TreatControlCAsInput = treat;
                }
            }
            else
            {
                session.Run(prompt =>
                {
                    string? line = Console.In.ReadLine();
                    if (line is not null && !q) ctx.Out.WriteLine(prompt + line);
                    return line;
                });
            }
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
