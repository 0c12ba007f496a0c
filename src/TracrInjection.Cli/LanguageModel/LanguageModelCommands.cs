using System.CommandLine;
using Spectre.Console;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Cli.LanguageModel;

/// <summary>Where the language-model commands write. <see cref="Console"/> draws the progress bar.</summary>
public sealed record LanguageModelIO(TextWriter Out, TextWriter Err, IAnsiConsole Console)
{
    public static LanguageModelIO Standard => new(System.Console.Out, System.Console.Error, AnsiConsole.Console);
}

/// <summary>
/// The language-model commands: <c>pretrain</c>, <c>generate</c>, <c>perplexity</c> and <c>corpus</c>.
/// Exit codes: 0 success, 2 bad input or missing files (one <c>error:</c> line), 3 training
/// diverged, 130 stopped by Ctrl+C after writing a checkpoint.
/// </summary>
public static class LanguageModelCommands
{
    public const int ExitOk = 0;
    public const int ExitError = 2;
    public const int ExitDiverged = 3;
    public const int ExitCancelled = 130;

    /// <summary>The name <c>--model default</c> stands for.</summary>
    public const string DefaultModelName = "default";
    /// <summary>The embedded default model, relative to the repository root.</summary>
    public const string DefaultModelRelativePath = "models/default";

    public static IEnumerable<Command> Create() => Create(LanguageModelIO.Standard);

    public static IEnumerable<Command> Create(LanguageModelIO io) =>
    [
        PretrainCommand.Create(io),
        GenerateCommand.Create(io),
        PerplexityCommand.Create(io),
        CorpusCommand.Create(io),
        LmEvalCommand.Create(io),
    ];

    /// <summary>
    /// A model folder: <c>default</c> is <c>models/default</c> of the repository found by walking up
    /// from the executable (then from the working directory); anything else is a path.
    /// </summary>
    public static string ResolveModelDirectory(string model)
    {
        if (string.IsNullOrWhiteSpace(model)) throw new ArgumentException("--model needs a folder or 'default'.");
        if (model != DefaultModelName) return model;
        string root = RepositoryPaths.FindRoot();
        string dir = Path.Combine(root, DefaultModelRelativePath);
        if (!File.Exists(Path.Combine(dir, Gpt2Checkpoint.ConfigFileName)))
            throw new DirectoryNotFoundException($"The default model is missing: '{dir}' has no {Gpt2Checkpoint.ConfigFileName}.");
        return dir;
    }

    public static (Gpt2Model Model, Gpt2Tokenizer Tokenizer) LoadModel(string model)
    {
        string dir = ResolveModelDirectory(model);
        Models.Native.GlibcAllocator.KeepFreedMemory();
        var loaded = Gpt2Checkpoint.Load(dir);
        return (loaded, Gpt2Tokenizer.Create(Gpt2TokenizerVariant.Standard, dir));
    }

    /// <summary>Runs a command body; failures become one <c>error:</c> line and an exit code.</summary>
    public static int Guard(LanguageModelIO io, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (TrainingDivergedException ex)
        {
            io.Err.WriteLine("error: " + ex.Message);
            return ExitDiverged;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException)
        {
            io.Err.WriteLine("error: " + string.Join(" ", ex.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
            return ExitError;
        }
    }

    /// <summary>"tracr-inject" plus the arguments, quoted where needed (recorded in trainer state and the model card).</summary>
    public static string CommandLine(string command, IEnumerable<string> args) =>
        "tracr-inject " + command + string.Concat(args.Select(a => " " + (a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'")));
}
