using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using TracrInjection.Cli.LanguageModel;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Cli.Tests.LanguageModel;

/// <summary>Runs the language-model commands in-process, as the root command will once they are wired in.</summary>
internal static class LmCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        var root = new RootCommand("test");
        foreach (var c in LanguageModelCommands.Create(new LanguageModelIO(stdout, stderr, console))) root.Subcommands.Add(c);
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tracr-lm-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A random GPT-2 checkpoint with the real vocabulary (tiny width), in HF layout.</summary>
    public static string TinyCheckpoint(string dir, int positions = 48)
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny() with { NPositions = positions }, seed: 3);
        Gpt2Checkpoint.Save(model, dir, SafeTensorsDType.F32, Gpt2Tokenizer.Create());
        return dir;
    }

    public static double ParsePerplexity(string output)
    {
        var m = Regex.Match(output, @"perplexity (\d+\.\d+)");
        Assert.True(m.Success, output);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}

public class GenerateAndPerplexityCommandTests
{
    [Fact]
    public void Generate_continues_each_prompt_and_the_cache_does_not_change_the_tokens()
    {
        string dir = LmCli.TinyCheckpoint(LmCli.TempDir());
        var cached = LmCli.Run("generate", "--model", dir, "--prompt", "Hello world", "--prompt", "The cat", "--max-new-tokens", "8", "--ignore-eos");
        Assert.Equal(0, cached.Code);
        Assert.Equal("", cached.Err);
        var blocks = cached.Out.Replace("\r\n", "\n").Split("\n\n");
        Assert.StartsWith("Hello world", blocks[0]);
        Assert.StartsWith("The cat", blocks[1]);
        var uncached = LmCli.Run("generate", "--model", dir, "--prompt", "Hello world", "--prompt", "The cat", "--max-new-tokens", "8", "--ignore-eos", "--no-cache");
        Assert.Equal(cached.Out, uncached.Out);
    }

    [Fact]
    public void Generate_reports_bad_input_on_one_line()
    {
        string dir = LmCli.TinyCheckpoint(LmCli.TempDir(), positions: 8);
        var tooLong = LmCli.Run("generate", "--model", dir, "--prompt", "one two three four five", "--max-new-tokens", "6");
        Assert.Equal(LanguageModelCommands.ExitError, tooLong.Code);
        Assert.StartsWith("error: ", tooLong.Err);
        Assert.Contains("positions", tooLong.Err);

        var missing = LmCli.Run("generate", "--model", Path.Combine(dir, "nope"), "--prompt", "x");
        Assert.Equal(LanguageModelCommands.ExitError, missing.Code);
        Assert.Contains("not found", missing.Err);
        Assert.Single(missing.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Perplexity_scores_a_text_file_like_the_library_does()
    {
        string dir = LmCli.TempDir();
        string model = LmCli.TinyCheckpoint(Path.Combine(dir, "model"), positions: 16);
        string text = Path.Combine(dir, "text.txt");
        File.WriteAllText(text, CorpusFiles.Format(["The first document is short.", "A second one, a little longer than the first, spans more than one window of sixteen tokens."]));
        var (code, output, err) = LmCli.Run("perplexity", "--model", model, "--text", text);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var m = Gpt2Checkpoint.Load(model);
        var expected = LanguageModelScoring.ScoreFile(m, Gpt2Tokenizer.Create(Gpt2TokenizerVariant.Standard, model), text);
        Assert.Equal(Math.Round(expected.Perplexity, 3), LmCli.ParsePerplexity(output));
        Assert.Contains($"over {expected.TokenCount} predicted tokens", output);

        var absent = LmCli.Run("perplexity", "--model", model, "--text", Path.Combine(dir, "absent.txt"));
        Assert.Equal(LanguageModelCommands.ExitError, absent.Code);
        Assert.Contains("absent.txt", absent.Err);
    }
}

public class PretrainCommandTests
{
    static string TinyCorpus(string dir)
    {
        string[] train =
        [
            "The cat sat on the mat. The dog sat on the log. The cat and the dog are friends.",
            "A bird sang in the tree. The bird sang every morning, and the cat listened to the bird.",
            "The dog ran to the park. The cat sat on the mat again. The bird flew over the park.",
        ];
        CorpusFiles.WriteDocuments(Path.Combine(dir, CorpusFiles.TrainFileName), train);
        CorpusFiles.WriteDocuments(Path.Combine(dir, CorpusFiles.HeldOutFileName), ["The cat sat on the log. The dog sat on the mat."]);
        return dir;
    }

    [Fact]
    public void Pretrain_then_export_writes_a_model_card_whose_perplexity_the_perplexity_command_reproduces()
    {
        string dir = LmCli.TempDir();
        string corpus = TinyCorpus(Directory.CreateDirectory(Path.Combine(dir, "corpus")).FullName);
        string run = Path.Combine(dir, "run");
        string export = Path.Combine(dir, "export");
        var (code, output, err) = LmCli.Run("pretrain", "--out", run, "--corpus", corpus, "--steps", "12", "--layers", "1", "--embd", "16",
            "--heads", "2", "--context", "16", "--batch", "2", "--warmup", "2", "--lr", "0.01", "--eval-every", "4", "--threads", "1",
            "--export", export, "--export-eval-items", "40");
        Assert.True(code == 0, err + output);
        Assert.Contains("step 12/12", output);
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.json", "merges.txt", "README.md", "training-curve.png" })
            Assert.True(File.Exists(Path.Combine(export, f)), f);
        using (var reader = SafeTensorsReader.Open(Path.Combine(export, "model.safetensors")))
            Assert.All(reader.Tensors.Values, t => Assert.Equal(SafeTensorsDType.F16, t.DType));
        var png = File.ReadAllBytes(Path.Combine(export, "training-curve.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        string card = File.ReadAllText(Path.Combine(export, "README.md"));
        var cardPpl = double.Parse(Regex.Match(card, @"\*\*Held-out perplexity (\d+\.\d+)\*\*").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Contains(CorpusFiles.Sha256OfFile(Path.Combine(corpus, CorpusFiles.TrainFileName)), card);
        Assert.Contains("tracr-inject pretrain --out", card);
        Assert.Contains("| steps | 12 |", card);
        var measured = LmCli.Run("perplexity", "--model", export, "--text", Path.Combine(corpus, CorpusFiles.HeldOutFileName));
        Assert.Equal(0, measured.Code);
        Assert.Equal(cardPpl, LmCli.ParsePerplexity(measured.Out));

        var again = LmCli.Run("pretrain", "--out", run, "--corpus", corpus, "--resume");
        Assert.Equal(0, again.Code);
        Assert.Contains("already finished", again.Out);

        // The card carries the retained-ability figures, also as lm-eval.json, and the trainer state.
        Assert.Contains("## Retained-ability figures", card);
        Assert.Contains("| standard | 2-shot choice |", card);
        Assert.True(File.Exists(Path.Combine(export, ModelExport.RetainedAbilityFileName)));
        Assert.True(File.Exists(Path.Combine(export, ModelExport.TrainerStateFileName)));
        var eval = LmCli.Run("lm-eval", "--model", export, "--corpus", corpus, "--cloze", "10", "--choice", "10", "--tokenizers", "standard", "--json");
        Assert.True(eval.Code == 0, eval.Err);
        var report = System.Text.Json.JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal(10, report.GetProperty("by_tokenizer")[0].GetProperty("choice").GetProperty("items").GetInt32());
        var badTokenizer = LmCli.Run("lm-eval", "--model", export, "--corpus", corpus, "--tokenizers", "standard,bytes");
        Assert.Equal(LanguageModelCommands.ExitError, badTokenizer.Code);
        Assert.Contains("unknown tokenizer 'bytes'", badTokenizer.Err);
        var oddChoice = LmCli.Run("lm-eval", "--model", export, "--corpus", corpus, "--choice", "7");
        Assert.Equal(LanguageModelCommands.ExitError, oddChoice.Code);

        // Growing the exported model to two blocks keeps its function: the grown run's first held-out loss is the card's.
        string grownRun = Path.Combine(dir, "grown");
        var grown = LmCli.Run("pretrain", "--out", grownRun, "--corpus", corpus, "--steps", "2", "--layers", "2", "--embd", "16",
            "--heads", "2", "--context", "16", "--batch", "2", "--warmup", "1", "--eval-every", "0", "--threads", "1", "--grow-from", export);
        Assert.True(grown.Code == 0, grown.Err + grown.Out);
        var first = double.Parse(Regex.Match(grown.Out, @"step 0: held-out loss (\d+\.\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Math.Log(cardPpl), first, 3);
        var wider = LmCli.Run("pretrain", "--out", Path.Combine(dir, "wider"), "--corpus", corpus, "--steps", "2", "--layers", "2", "--embd", "32",
            "--heads", "2", "--context", "16", "--batch", "2", "--threads", "1", "--grow-from", export);
        Assert.Equal(LanguageModelCommands.ExitError, wider.Code);
        Assert.Contains("n_embd 16 vs 32", wider.Err);

        var fresh = LmCli.Run("pretrain", "--out", run, "--corpus", corpus, "--steps", "3");
        Assert.Equal(LanguageModelCommands.ExitError, fresh.Code);
        Assert.Contains("--resume", fresh.Err);
    }

    [Fact]
    public void Pretrain_wants_exactly_one_of_minutes_and_steps_and_a_corpus()
    {
        string dir = LmCli.TempDir();
        string corpus = TinyCorpus(Directory.CreateDirectory(Path.Combine(dir, "corpus")).FullName);
        var both = LmCli.Run("pretrain", "--out", Path.Combine(dir, "r"), "--corpus", corpus, "--steps", "3", "--minutes", "1");
        Assert.Equal(LanguageModelCommands.ExitError, both.Code);
        Assert.Contains("exactly one of --minutes and --steps", both.Err);

        var noCorpus = LmCli.Run("pretrain", "--out", Path.Combine(dir, "r"), "--corpus", Path.Combine(dir, "none"), "--steps", "3");
        Assert.Equal(LanguageModelCommands.ExitError, noCorpus.Code);
        Assert.Contains("scripts/setup.sh", noCorpus.Err);
    }
}

/// <summary>The embedded default model (models/default): the model card's checks.</summary>
public class DefaultModelTests
{
    [Fact]
    public void Default_resolves_to_the_repository_model_folder()
    {
        string dir = LanguageModelCommands.ResolveModelDirectory("default");
        Assert.EndsWith(Path.Combine("models", "default"), dir);
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
        Assert.True(new FileInfo(Path.Combine(dir, "model.safetensors")).Length <= ModelExport.MaxModelBytes);
        Assert.Equal("elsewhere", LanguageModelCommands.ResolveModelDirectory("elsewhere"));
    }

    [Fact]
    public void Perplexity_on_the_held_out_slice_reproduces_the_model_card()
    {
        string dir = LanguageModelCommands.ResolveModelDirectory("default");
        string card = File.ReadAllText(Path.Combine(dir, "README.md"));
        var match = Regex.Match(card, @"\*\*Held-out perplexity (\d+\.\d+)\*\*");
        Assert.True(match.Success, "model card has no held-out perplexity");
        string heldOut = Path.Combine(CorpusFiles.DefaultDirectory(), CorpusFiles.HeldOutFileName);
        var (code, output, err) = LmCli.Run("perplexity", "--model", "default", "--text", heldOut);
        Assert.True(code == 0, err);
        double card_ = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double measured = LmCli.ParsePerplexity(output);
        // Same computation; only the float summation order may differ with the thread count.
        Assert.True(Math.Abs(measured - card_) <= 1e-4 * card_ + 0.0015, $"card {card_}, perplexity command {measured}");
    }

    [Fact]
    public void Generate_with_the_default_model_writes_english_looking_text()
    {
        var (code, output, err) = LmCli.Run("generate", "--model", "default", "--prompt", "The meaning of the word", "--max-new-tokens", "30", "--ignore-eos");
        Assert.True(code == 0, err);
        string continuation = output["The meaning of the word".Length..];
        var words = continuation.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Length >= 8, output);
        int wordLike = words.Count(w => w.Trim(',', '.', ';', ':', '"', '\'', '(', ')', '!', '?').All(char.IsLetter));
        Assert.True(wordLike >= 0.7 * words.Length, output);
        var common = new[] { "the", "of", "a", "to", "and", "in", "or", "is", "as", "that", "which", "with", "for", "by" };
        Assert.Contains(words, w => common.Contains(w.ToLowerInvariant().Trim(',', '.', ';', ':')));
    }
}
