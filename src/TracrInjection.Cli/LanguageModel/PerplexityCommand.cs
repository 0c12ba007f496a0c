using System.CommandLine;
using System.Globalization;
using TracrInjection.Injection.Pretraining;

namespace TracrInjection.Cli.LanguageModel;

/// <summary>
/// <c>perplexity --model DIR|default --text FILE</c>: mean next-token loss and perplexity of a
/// text file. Documents in the file are separated by lines holding &lt;|endoftext|&gt; (a plain
/// file is one document); the token stream, with &lt;|endoftext|&gt; before each document, is
/// scored in windows of n_positions tokens overlapping by one — the same computation as the
/// held-out figure in the default model's card.
/// </summary>
public static class PerplexityCommand
{
    public static Command Create(LanguageModelIO io)
    {
        var model = new Option<string>("--model", "-m") { Description = "A GPT-2 checkpoint folder (Hugging Face layout), or 'default' for the embedded model.", HelpName = "DIR|default", Required = true };
        var text = new Option<string>("--text", "-t") { Description = "UTF-8 text file; documents separated by lines holding <|endoftext|>.", HelpName = "FILE", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Windows per forward pass.", DefaultValueFactory = _ => 16 };
        var command = new Command("perplexity", "Held-out perplexity of a GPT-2 model on a text file.") { model, text, batch };
        command.SetAction(parse => LanguageModelCommands.Guard(io, () =>
        {
            int batchSize = parse.GetValue(batch);
            if (batchSize < 1) throw new ArgumentException("--batch-size must be at least 1.");
            string path = parse.GetValue(text)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"Text file not found: '{path}'.", path);
            var (m, tokenizer) = LanguageModelCommands.LoadModel(parse.GetValue(model)!);
            using var _ = m;
            var result = LanguageModelScoring.ScoreFile(m, tokenizer, path, batchSize);
            if (result.TokenCount == 0) throw new ArgumentException($"'{path}' has no text to score.");
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"perplexity {result.Perplexity:F3}  (mean loss {result.MeanLoss:F5} nats over {result.TokenCount} predicted tokens, windows of {m.Config.NPositions})"));
            return LanguageModelCommands.ExitOk;
        }));
        return command;
    }
}
