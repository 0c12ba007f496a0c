using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Cli.LanguageModel;

/// <summary>
/// <c>pretrain [--out DIR] [--minutes M | --steps N] [--resume] [--export DIR] ...</c>: trains a GPT-2
/// model from scratch on the corpus, with a progress bar (loss, tokens/s), periodic held-out
/// evaluation and checkpoints; <c>--resume</c> continues a stopped run; <c>--export</c> writes the
/// final model as an fp16 Hugging Face folder with a model card and training curve.
/// </summary>
public static class PretrainCommand
{
    public const string DefaultOutput = "runs/pretrain";

    public static Command Create(LanguageModelIO io)
    {
        var d = new PretrainingOptions();
        var output = new Option<string>("--out", "-o") { Description = "Run folder (checkpoints, trainer state).", HelpName = "DIR", DefaultValueFactory = _ => DefaultOutput };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus folder with train.txt and heldout.txt (default: data/corpus of the repository).", HelpName = "DIR" };
        var minutes = new Option<double?>("--minutes") { Description = "Time budget: the step count is chosen from the measured step time." };
        var steps = new Option<long?>("--steps") { Description = "Number of optimizer steps." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its latest checkpoint (its settings are kept; with --steps, its end moves there and the cosine schedule restarts from the current step)." };
        var export = new Option<string?>("--export") { Description = "When the run is finished, write the model (fp16), model card and training curve to this folder, e.g. models/default.", HelpName = "DIR" };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => d.NLayer, Description = "n_layer." };
        var embd = new Option<int>("--embd") { DefaultValueFactory = _ => d.NEmbd, Description = "n_embd." };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => d.NHead, Description = "n_head." };
        var context = new Option<int>("--context") { DefaultValueFactory = _ => d.ContextLength, Description = "Sequence length = n_positions." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.BatchSize, Description = "Sequences per step." };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.PeakLearningRate, Description = "Peak learning rate (AdamW)." };
        var minLr = new Option<double>("--min-lr-ratio") { DefaultValueFactory = _ => d.MinLearningRateRatio, Description = "Final learning rate as a fraction of the peak." };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => d.WarmupSteps, Description = "Linear warmup steps." };
        var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => d.WeightDecay, Description = "AdamW weight decay (matrices only)." };
        var clip = new Option<double>("--grad-clip") { DefaultValueFactory = _ => d.GradientClip, Description = "Global gradient-norm clip (0: off)." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => d.Seed, Description = "Initialisation and data-order seed." };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => d.EvalInterval, Description = "Held-out evaluation every N steps (0: only at the end)." };
        var ckptEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => d.CheckpointInterval, Description = "Checkpoint every N steps (0: by time only)." };
        var ckptMinutes = new Option<double>("--checkpoint-minutes") { DefaultValueFactory = _ => d.CheckpointMinutes, Description = "Checkpoint every M minutes (0: by steps only)." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: all cores)." };
        var growFrom = new Option<string?>("--grow-from") { Description = "Start from this shallower model (HF folder or 'default', same width, heads and context), grown to --layers blocks without changing its output.", HelpName = "DIR|default" };
        var exportEval = new Option<int>("--export-eval-items") { Description = "Cloze passages and choice items of the retained-ability figures on the exported card (0: none).", DefaultValueFactory = _ => 2000 };
        var plain = new Option<bool>("--plain") { Description = "Log lines instead of a progress bar (automatic when the output is not a terminal)." };

        var command = new Command("pretrain", "Pre-train a GPT-2 language model on the Debian-package corpus.")
        {
            output, corpus, minutes, steps, resume, export, layers, embd, heads, context, batch, lr, minLr, warmup,
            weightDecay, clip, seed, evalEvery, ckptEvery, ckptMinutes, threads, growFrom, exportEval, plain,
        };
        command.SetAction((parse, cancel) => Task.FromResult(LanguageModelCommands.Guard(io, () =>
        {
            string outDir = parse.GetValue(output)!;
            string corpusDir = parse.GetValue(corpus) ?? CorpusFiles.DefaultDirectory();
            string commandLine = LanguageModelCommands.CommandLine("pretrain", parse.Tokens.SkipWhile(t => t.Type == TokenType.Command).Select(t => t.Value));
            var tokenizer = Gpt2Tokenizer.Create();
            var data = PretrainingData.Load(corpusDir, tokenizer, io.Out.WriteLine);
            Pretrainer trainer;
            if (parse.GetValue(resume))
            {
                if (parse.GetValue(growFrom) is not null)
                    throw new ArgumentException("--grow-from only starts a run; a resumed run continues from its checkpoint.");
                if (parse.GetValue(minutes) is not null)
                    throw new ArgumentException("--minutes cannot change a resumed run; give --steps to move its end.");
                trainer = Pretrainer.Resume(outDir, data, tokenizer, commandLine, parse.GetValue(steps));
                io.Out.WriteLine($"Resuming '{outDir}' at step {trainer.State.Step} of {trainer.State.TotalSteps}.");
            }
            else
            {
                double? m = parse.GetValue(minutes);
                long? n = parse.GetValue(steps);
                if (m is null == n is null) throw new ArgumentException("give exactly one of --minutes and --steps.");
                var options = d with
                {
                    NLayer = parse.GetValue(layers), NEmbd = parse.GetValue(embd), NHead = parse.GetValue(heads),
                    ContextLength = parse.GetValue(context), BatchSize = parse.GetValue(batch),
                    PeakLearningRate = parse.GetValue(lr), MinLearningRateRatio = parse.GetValue(minLr),
                    WarmupSteps = parse.GetValue(warmup), WeightDecay = parse.GetValue(weightDecay),
                    GradientClip = parse.GetValue(clip), Seed = parse.GetValue(seed),
                    EvalInterval = parse.GetValue(evalEvery), CheckpointInterval = parse.GetValue(ckptEvery),
                    CheckpointMinutes = parse.GetValue(ckptMinutes), Threads = parse.GetValue(threads),
                    TotalSteps = n ?? 0, Minutes = m,
                    GrowFrom = parse.GetValue(growFrom) is { } g ? LanguageModelCommands.ResolveModelDirectory(g) : null,
                };
                trainer = Pretrainer.Create(options, data, outDir, tokenizer, commandLine);
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"GPT-2 {options.NLayer} layers, d={options.NEmbd}, {options.NHead} heads, context {options.ContextLength}: {trainer.Model.ParameterCount:N0} parameters; " +
                    $"{data.TrainTokens.Length:N0} training tokens, {data.HeldOutTokens.Length:N0} held-out."));
            }

            using (trainer)
            {
                PretrainingResult result;
                if (trainer.State.Finished)
                {
                    io.Out.WriteLine($"The run is already finished ({trainer.State.Step} steps).");
                    result = new PretrainingResult(PretrainingStop.Finished, trainer.State, trainer.LastCheckpoint);
                }
                else
                {
                    bool bar = !parse.GetValue(plain) && io.Console.Profile.Capabilities.Interactive;
                    result = StopSignals.Run(token => bar ? RunWithProgressBar(trainer, io, token) : RunPlain(trainer, io, token), cancel);
                }
                if (result.Stop == PretrainingStop.Cancelled)
                {
                    io.Out.WriteLine($"Stopped at step {result.State.Step}; checkpoint '{result.LastCheckpoint}'. Continue with: tracr-inject pretrain --out {outDir} --resume");
                    return LanguageModelCommands.ExitCancelled;
                }
                var final = result.State;
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Held-out loss {final.FinalHeldOutLoss:F4} (perplexity {Math.Exp(final.FinalHeldOutLoss ?? double.NaN):F2}); checkpoint '{result.LastCheckpoint}'."));
                if (parse.GetValue(export) is { } exportDir)
                {
                    int items = parse.GetValue(exportEval);
                    if (items < 0) throw new ArgumentException("--export-eval-items must be non-negative.");
                    var evaluation = items == 0 ? null : new global::TracrInjection.Injection.LanguageEvaluation.LanguageEvaluationOptions
                    {
                        CorpusDirectory = corpusDir, ClozePassages = items, ChoiceItems = items + items % 2,
                    };
                    var card = ModelExport.Export(result.LastCheckpoint!, exportDir, corpusDir, io.Out.WriteLine, evaluation);
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Exported to '{exportDir}': {card.FileBytes / 1e6:F1} MB fp16, held-out perplexity {card.HeldOutPerplexity:F3}."));
                }
                return LanguageModelCommands.ExitOk;
            }
        })));
        return command;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static PretrainingResult RunPlain(Pretrainer trainer, LanguageModelIO io, CancellationToken cancel)
    {
        long lastPrinted = -1;
        return trainer.Run(cancel, p =>
        {
            if (p.Step % 50 != 0 && p.Step != p.TotalSteps) return;
            if (p.Step == lastPrinted) return;
            lastPrinted = p.Step;
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step}/{(p.TotalSteps > 0 ? p.TotalSteps.ToString(CultureInfo.InvariantCulture) : "?")}  loss {p.SmoothedLoss:F4}  lr {p.LearningRate:G3}  " +
                $"{p.TokensPerSecond:F0} tok/s  tokens {p.TokensSeen:N0}  held-out {p.LastHeldOutLoss:F4}  {TimeSpan.FromSeconds(p.ElapsedSeconds):hh\\:mm\\:ss}"));
            io.Out.Flush();
        }, io.Out.WriteLine);
    }

    static PretrainingResult RunWithProgressBar(Pretrainer trainer, LanguageModelIO io, CancellationToken cancel)
    {
        PretrainingResult? result = null;
        var messages = new List<string>();
        io.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: Math.Max(1, trainer.State.TotalSteps));
                task.Value = trainer.State.Step;
                if (trainer.State.TotalSteps == 0) task.IsIndeterminate = true;
                result = trainer.Run(cancel, p =>
                {
                    if (p.TotalSteps > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = p.TotalSteps;
                    }
                    task.Value = p.Step;
                    string heldOut = p.LastHeldOutLoss is { } h ? F($"  held-out {h:F3}") : "";
                    task.Description = F($"step {p.Step}  loss {p.SmoothedLoss:F3}  {p.TokensPerSecond:F0} tok/s") + heldOut;
                }, message => messages.Add(message));
            });
        foreach (var m in messages.TakeLast(3)) io.Out.WriteLine(m);
        return result!;
    }
}
