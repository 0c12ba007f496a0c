using System.CommandLine;
using Spectre.Console;
using TracrInjection.Cli.Injection;

namespace TracrInjection.Cli.Tests.Injection;

/// <summary>The injection commands run in-process with captured, colourless output (no terminal, fixed width).</summary>
internal static class InjectionCli
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        console.Profile.Width = 200;
        var ctx = new CliContext { Out = stdout, Err = stderr, Console = console };
        var root = new RootCommand("test");
        foreach (var c in InjectionCommandSupport.Create(ctx)) root.Subcommands.Add(c);
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
