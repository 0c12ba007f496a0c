using System.CommandLine;
using Spectre.Console;
using TracrInjection.Cli.Commands;
using TracrInjection.Compiler;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Cli;

/// <summary>A user error: printed as one <c>error: ...</c> line on stderr, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message)
{
    /// <summary>Lines printed on stderr after the <c>error:</c> line (e.g. a source line and a caret).</summary>
    public string? Detail { get; init; }
}

/// <summary>Where a command writes: plain text/JSON to <see cref="Out"/>, tables through <see cref="Console"/>.</summary>
public sealed class CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }
    public required IAnsiConsole Console { get; init; }
}

/// <summary>
/// The <c>tracr-inject</c> command line. <see cref="Run"/> is the whole program with its streams passed in, so tests
/// call it in-process. Exit codes: 0 success, 2 bad input (one <c>error:</c> line on stderr, no partial output),
/// 1 an unexpected internal failure (also one line).
/// </summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitInternal = 1;
    public const int ExitUsage = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Progress bars need the real terminal; in-process callers (tests) get a plain, non-interactive console.
        var console = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        if (!ReferenceEquals(console, AnsiConsole.Console)) console.Profile.Width = TerminalWidth(stdout);
        var ctx = new CliContext { Out = stdout, Err = stderr, Console = console };

        var root = new RootCommand("tracr-inject: compile RASP programs into transformer weights (a C# port of DeepMind's tracr), " +
                                   "run and trace the compiled models, and inject them into GPT-2-family language models.");
        root.Subcommands.Add(ProgramsCommand.Create(ctx));
        root.Subcommands.Add(CompileCommand.Create(ctx));
        root.Subcommands.Add(RunCommand.Create(ctx));
        root.Subcommands.Add(TraceCommand.Create(ctx));
        root.Subcommands.Add(InspectCommand.Create(ctx));
        root.Subcommands.Add(VerifyCommand.Create(ctx));
        root.Subcommands.Add(ReplCommand.Create(ctx));
        foreach (var c in LanguageModel.LanguageModelCommands.Create(new LanguageModel.LanguageModelIO(ctx.Out, ctx.Err, ctx.Console)))
            root.Subcommands.Add(c);
        foreach (var c in Injection.InjectionCommandSupport.Create(ctx)) root.Subcommands.Add(c);

        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (Exception ex)
        {
            return Fail(ctx, ex);
        }
        if (parse.Errors.Count > 0)
        {
            // An unknown word also yields "Required command was not provided"; name the unknown word first.
            var messages = parse.Errors.Select(e => Friendly(e.Message).TrimEnd('.'))
                .OrderBy(m => m.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1).Distinct().ToList();
            stderr.WriteLine("error: " + OneLine(string.Join("; ", messages)) + " (see --help)");
            return ExitUsage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false,
                // Long jobs handle stop signals themselves (StopSignals) so a checkpoint is never cut short.
                ProcessTerminationTimeout = null,
            });
        }
        catch (Exception ex)
        {
            return Fail(ctx, ex);
        }
    }

    /// <summary>Runs a command body, turning every failure into one stderr line and an exit code.</summary>
    public static int Guard(CliContext ctx, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex)
        {
            return Fail(ctx, ex);
        }
    }

    private static int Fail(CliContext ctx, Exception ex)
    {
        (string message, int code) = ex switch
        {
            CliException e => (e.Message, ExitUsage),
            CompilationException e => ("cannot compile: " + e.Message, ExitUsage),
            CompiledModelStoreException e => (e.Message, ExitUsage),
            KeyNotFoundException e => (e.Message, ExitUsage),
            ArgumentException e => (e.Message, ExitUsage),
            IOException e => (e.Message, ExitUsage),
            UnauthorizedAccessException e => (e.Message, ExitUsage),
            _ => ($"internal error ({ex.GetType().Name}): {ex.Message}", ExitInternal),
        };
        ctx.Err.WriteLine("error: " + OneLine(message));
        if (ex is CliException { Detail: { Length: > 0 } detail }) ctx.Err.WriteLine(detail);
        return code;
    }

    /// <summary>Parser messages name .NET types; say what the user should type instead.</summary>
    private static string Friendly(string message) => message
        .Replace("'System.Nullable`1[System.Int32]'", "integer").Replace("'System.Int32'", "integer")
        .Replace("'System.Nullable`1[System.Double]'", "number").Replace("'System.Double'", "number")
        .Replace("'System.Nullable`1[System.Boolean]'", "true/false").Replace("'System.Boolean'", "true/false");

    /// <summary>Joins a multi-line message into one line.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static int TerminalWidth(TextWriter stdout)
    {
        try
        {
            if (ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected && System.Console.WindowWidth > 20)
                return System.Console.WindowWidth;
        }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return 160;
    }
}
