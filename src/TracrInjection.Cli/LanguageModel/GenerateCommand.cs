using System.CommandLine;
using TracrInjection.Models.Gpt2;

namespace TracrInjection.Cli.LanguageModel;

/// <summary><c>generate --model DIR|default --prompt "..." [--max-new-tokens N]</c>: greedy continuations.</summary>
public static class GenerateCommand
{
    public static Command Create(LanguageModelIO io)
    {
        var model = new Option<string>("--model", "-m") { Description = "A GPT-2 checkpoint folder (Hugging Face layout), or 'default' for the embedded model.", HelpName = "DIR|default", Required = true };
        var prompt = new Option<string[]>("--prompt", "-p") { Description = "Text to continue; repeat for several prompts (generated as one batch).", Required = true };
        var maxNew = new Option<int>("--max-new-tokens", "-n") { Description = "Tokens to generate per prompt.", DefaultValueFactory = _ => 40 };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute every position at each step instead of using the key/value cache (slower; same tokens)." };
        var keepGoing = new Option<bool>("--ignore-eos") { Description = "Do not stop at <|endoftext|>." };
        var noRepeat = new Option<int>("--no-repeat-ngram") { Description = "Never repeat an n-gram of this size (Hugging Face's no_repeat_ngram_size; 0 = plain greedy). Small models loop under plain greedy decoding; 3 is a common choice.", HelpName = "N" };
        var command = new Command("generate", "Greedy text continuation with a GPT-2 model.") { model, prompt, maxNew, noCache, keepGoing, noRepeat };
        command.SetAction(parse => LanguageModelCommands.Guard(io, () =>
        {
            var prompts = parse.GetValue(prompt) ?? [];
            int n = parse.GetValue(maxNew);
            if (n < 0) throw new ArgumentException("--max-new-tokens must be non-negative.");
            int ngram = parse.GetValue(noRepeat);
            if (ngram < 0) throw new ArgumentException($"--no-repeat-ngram must be non-negative (got {ngram}).");
            if (prompts.Length == 0 || prompts.Any(p => p.Length == 0)) throw new ArgumentException("--prompt must not be empty.");
            var (m, tokenizer) = LanguageModelCommands.LoadModel(parse.GetValue(model)!);
            using var _ = m;
            var options = new Gpt2GenerationOptions
            {
                MaxNewTokens = n,
                UseCache = !parse.GetValue(noCache),
                NoRepeatNgramSize = ngram,
                StopTokenIds = parse.GetValue(keepGoing) || tokenizer.EndOfTextId < 0 ? Array.Empty<int>() : new[] { tokenizer.EndOfTextId },
            };
            var encoded = prompts.Select(tokenizer.Encode).ToList();
            int limit = m.Config.NPositions;
            for (int i = 0; i < encoded.Count; i++)
            {
                if (encoded[i].Length == 0) throw new ArgumentException($"Prompt {i + 1} encodes to no tokens.");
                if (encoded[i].Length + n > limit)
                    throw new ArgumentException($"Prompt {i + 1} has {encoded[i].Length} tokens; with --max-new-tokens {n} that exceeds the model's {limit} positions.");
            }
            var results = Gpt2Generation.GenerateGreedy(m, encoded, options);
            for (int i = 0; i < results.Count; i++)
            {
                if (results.Count > 1 && i > 0) io.Out.WriteLine();
                io.Out.WriteLine(prompts[i] + tokenizer.Decode(results[i].NewIds));
            }
            return LanguageModelCommands.ExitOk;
        }));
        return command;
    }
}
