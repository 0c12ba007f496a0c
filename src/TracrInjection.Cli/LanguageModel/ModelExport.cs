using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.LanguageEvaluation;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Cli.LanguageModel;

public sealed record ExportedModelCard(string Directory, long FileBytes, double HeldOutLoss, double HeldOutPerplexity, long HeldOutPredictions,
    IReadOnlyList<(string Prompt, string Continuation)> Samples, IReadOnlyList<(string Prompt, string Continuation)> NoRepeatSamples,
    LanguageEvaluationReport? Retained = null, LanguageEvaluationReport? RetainedBefore = null);

/// <summary>
/// Turns a finished pretraining checkpoint into a shippable Hugging Face folder: config.json,
/// model.safetensors in float16, vocab.json + merges.txt, training-curve.png and a model card
/// (README.md) with the recipe, command, corpus hashes, steps, tokens seen and the held-out
/// perplexity — measured on the float16 weights as saved, exactly as <c>perplexity</c> computes it.
/// The folder is assembled next to the target and swapped in at the end.
/// </summary>
public static class ModelExport
{
    public const string CurveFileName = "training-curve.png";
    public const string CardFileName = "README.md";
    /// <summary>Size limit for a model committed to the repository.</summary>
    public const long MaxModelBytes = 64L * 1024 * 1024;

    public static readonly string[] SamplePrompts =
    [
        "The meaning of the word",
        "In the beginning of the",
        "A man who",
        "Science is",
        "The computer",
    ];

    public const string TrainerStateFileName = "trainer_state.json";
    public const string RetainedAbilityFileName = "lm-eval.json";
    public const int NoRepeatNgram = 3;

    /// <param name="evaluation">
    /// Retained-ability figures for the card (<c>lm-eval</c>), measured on the float16 weights and,
    /// when the run was grown from a model that is still on disk, on that model too; null: none.
    /// </param>
    public static ExportedModelCard Export(string checkpointDirectory, string exportDirectory, string corpusDirectory, Action<string>? log = null,
        LanguageEvaluationOptions? evaluation = null)
    {
        var state = PretrainingState.Load(Path.Combine(checkpointDirectory, PretrainingCheckpoint.StateFileName));
        if (!state.Finished) throw new InvalidOperationException($"'{checkpointDirectory}' is at step {state.Step} of {state.TotalSteps}; finish the run before exporting.");
        string heldOutPath = Path.Combine(corpusDirectory, CorpusFiles.HeldOutFileName);
        if (CorpusFiles.Sha256OfFile(heldOutPath) != state.HeldOutSha256)
            throw new InvalidDataException($"'{heldOutPath}' is not the held-out text this run was evaluated on (SHA-256 differs).");

        string full = Path.GetFullPath(exportDirectory);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            var tokenizer = Gpt2Tokenizer.Create();
            using (var trained = Gpt2Checkpoint.Load(checkpointDirectory))
                Gpt2Checkpoint.Save(trained, temp, SafeTensorsDType.F16, tokenizer);
            long bytes = new FileInfo(Path.Combine(temp, Gpt2Checkpoint.SafeTensorsFileName)).Length;
            if (bytes > MaxModelBytes) log?.Invoke($"warning: model.safetensors is {bytes / 1048576.0:F1} MiB, over the {MaxModelBytes / 1048576} MiB limit for the repository.");

            // Score what was written (float16 weights, the folder's own tokenizer files).
            using var model = Gpt2Checkpoint.Load(temp);
            var folderTokenizer = Gpt2Tokenizer.Create(Gpt2TokenizerVariant.Standard, temp);
            log?.Invoke("Scoring the float16 model on the held-out text …");
            var score = LanguageModelScoring.ScoreFile(model, folderTokenizer, heldOutPath);
            List<(string, string)> Samples(int noRepeat) => SamplePrompts.Select(p => (p, Gpt2Generation.GenerateGreedy(model, folderTokenizer, [p],
                new Gpt2GenerationOptions
                {
                    MaxNewTokens = Math.Max(0, Math.Min(40, model.Config.NPositions - folderTokenizer.CountTokens(p))),
                    StopTokenIds = [folderTokenizer.EndOfTextId],
                    NoRepeatNgramSize = noRepeat,
                })[0])).ToList();
            var samples = Samples(0);
            var noRepeatSamples = Samples(NoRepeatNgram);

            LanguageEvaluationReport? retained = null, before = null;
            if (evaluation is not null)
            {
                log?.Invoke("Measuring retained ability (lm-eval) …");
                retained = LanguageEvaluator.Evaluate(model, "this model", evaluation);
                LanguageEvaluationJson.Save(retained, Path.Combine(temp, RetainedAbilityFileName));
                if (state.Options.GrowFrom is { } source && File.Exists(Path.Combine(source, Gpt2Checkpoint.SafeTensorsFileName))
                    && CorpusFiles.Sha256OfFile(Path.Combine(source, Gpt2Checkpoint.SafeTensorsFileName)) == state.GrownFromSha256)
                {
                    using var shallow = Gpt2Checkpoint.Load(source);
                    before = LanguageEvaluator.Evaluate(shallow, $"{shallow.Config.NLayer}-layer model grown from", evaluation);
                }
            }

            TrainingCurve.Save(state, Path.Combine(temp, CurveFileName));
            // A committed model folder must not name this machine's folders.
            if (state.CorpusSource is { } src && Path.IsPathRooted(src))
                state.CorpusSource = RepositoryPaths.TryFindRoot(src) is { } root ? Path.GetRelativePath(root, src) : Path.GetFileName(src);
            state.Save(Path.Combine(temp, TrainerStateFileName));
            var manifest = TryReadManifest(corpusDirectory);
            var card = new ExportedModelCard(full, bytes, score.MeanLoss, score.Perplexity, score.TokenCount, samples, noRepeatSamples, retained, before);
            AtomicFile.WriteAllText(Path.Combine(temp, CardFileName), CardText(state, model, card, manifest));

            string? old = null;
            if (Directory.Exists(full))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.old");
                Directory.Move(full, old);
            }
            Directory.Move(temp, full);
            if (old is not null) Directory.Delete(old, recursive: true);
            return card;
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    static JsonObject? TryReadManifest(string corpusDirectory)
    {
        var path = Path.Combine(corpusDirectory, CorpusFiles.ManifestFileName);
        try { return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static string CardText(PretrainingState state, Gpt2Model model, ExportedModelCard card, JsonObject? manifest)
    {
        var o = state.Options;
        var c = model.Config;
        long nonEmbedding = model.ParameterCount - (long)c.VocabSize * c.NEmbd - (long)c.NPositions * c.NEmbd;
        double epochs = state.TrainTokens > 0 ? (double)state.TokensSeen / state.TrainTokens : 0;
        var trainRate = state.TrainLog.Count > 0 ? state.TrainLog.Average(p => p.TokensPerSecond) : 0;
        var sb = new StringBuilder();
        sb.AppendLine("---");
        sb.AppendLine("language: en");
        sb.AppendLine("library_name: transformers");
        sb.AppendLine("pipeline_tag: text-generation");
        sb.AppendLine("tags: [gpt2, tracr-injection]");
        sb.AppendLine("---");
        sb.AppendLine();
        sb.AppendLine("# tracr-inject default language model");
        sb.AppendLine();
        bool grown = o.GrowFrom is not null;
        sb.AppendLine("A small GPT-2-architecture model (GPT-2 byte-level BPE tokenizer, 50257 tokens), pre-trained by this repository's");
        sb.AppendLine("`tracr-inject pretrain` on English text from Debian packages. It is the model that injection works on when no");
        sb.AppendLine(F($"other checkpoint is given (`--model default`). Its {c.NLayer} blocks let the paper's identity layer alignment hold the"));
        sb.AppendLine("compiled teachers of up to that many layers. It is small and was trained on a shared two-core CPU machine:");
        sb.AppendLine("expect dictionary-flavoured English with local fluency, not facts.");
        if (grown)
        {
            sb.AppendLine();
            sb.AppendLine(F($"**Lineage.** This run did not start from scratch: it was grown from a shallower trained model with the same width"));
            sb.AppendLine(F($"(model.safetensors SHA-256 `{state.GrownFromSha256}`) by function-preserving depth growth (`pretrain --grow-from`:"));
            sb.AppendLine("the trained blocks spread evenly through the new stack, every new block's residual output projections zero, so the");
            sb.AppendLine("grown model computes exactly what the shallow one did), then trained as below. Its total pretraining time is the");
            sb.AppendLine(F($"shallow model's (see its card) plus this run's {TimeSpan.FromSeconds(state.ElapsedSeconds):h\\:mm\\:ss}."));
        }
        sb.AppendLine();
        sb.AppendLine("## Model");
        sb.AppendLine();
        sb.AppendLine("| n_layer | n_head | n_embd | n_positions | vocab_size | parameters | non-embedding | weights |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        sb.AppendLine(F($"| {c.NLayer} | {c.NHead} | {c.NEmbd} | {c.NPositions} | {c.VocabSize} | {model.ParameterCount:N0} | {nonEmbedding:N0} | float16 safetensors, {card.FileBytes / 1e6:F1} MB |"));
        sb.AppendLine();
        sb.AppendLine("Tied input/output embeddings, learned positions, pre-LayerNorm blocks, tanh GELU, no dropout. Tensor names and the");
        sb.AppendLine("Conv1D layout are Hugging Face's: `GPT2LMHeadModel.from_pretrained` and `GPT2TokenizerFast.from_pretrained` load");
        sb.AppendLine("this folder.");
        sb.AppendLine();
        sb.AppendLine("## Results");
        sb.AppendLine();
        sb.AppendLine(F($"**Held-out perplexity {card.HeldOutPerplexity:F3}** (mean loss {card.HeldOutLoss:F5} nats per token over {card.HeldOutPredictions:N0} predicted tokens)"));
        sb.AppendLine("on `data/corpus/heldout.txt`, measured on these float16 weights. The documents' token stream (`<|endoftext|>` before");
        sb.AppendLine(F($"each document) is scored in windows of {c.NPositions} tokens overlapping by one, so each token after the first is"));
        sb.AppendLine("predicted once. Reproduce it with:");
        sb.AppendLine();
        sb.AppendLine("    tracr-inject perplexity --model default --text data/corpus/heldout.txt");
        sb.AppendLine();
        sb.AppendLine($"![training curve]({CurveFileName})");
        sb.AppendLine();
        sb.AppendLine("Greedy samples (`tracr-inject generate --model default --prompt \"...\" --max-new-tokens 40`):");
        sb.AppendLine();
        foreach (var (prompt, continuation) in card.Samples)
            sb.AppendLine($"- **{prompt}**{continuation.Replace("\n", " ⏎ ")}");
        sb.AppendLine();
        sb.AppendLine(F($"With `--no-repeat-ngram {NoRepeatNgram}` (Hugging Face's `no_repeat_ngram_size`, still greedy):"));
        sb.AppendLine();
        foreach (var (prompt, continuation) in card.NoRepeatSamples)
            sb.AppendLine($"- **{prompt}**{continuation.Replace("\n", " ⏎ ")}");
        sb.AppendLine();
        if (card.Retained is { } retained)
        {
            sb.AppendLine("## Retained-ability figures");
            sb.AppendLine();
            sb.AppendLine("What injection must not destroy, measured by `tracr-inject lm-eval --model default` (also in `lm-eval.json`) under each");
            sb.AppendLine(F($"task tokenizer: perplexity on both held-out files; a LAMBADA-style cloze ({retained.Settings.ClozePassages:N0} passages from held-out text,"));
            sb.AppendLine(F($"greedy last word); a 2-shot same/opposite choice on WordNet synonym and antonym pairs ({retained.Settings.ChoiceItems:N0} items, chance 50%)."));
            sb.AppendLine("Accuracies with a 95% interval (normal approximation)." + (card.RetainedBefore is null ? "" : " Next to them, the model this one was grown from."));
            sb.AppendLine();
            var before = card.RetainedBefore;
            sb.AppendLine(before is null ? "| tokenizer | figure | this model |" : "| tokenizer | figure | this model | model grown from |");
            sb.AppendLine(before is null ? "|---|---|---|" : "|---|---|---|---|");
            foreach (var a in retained.ByTokenizer)
            {
                var b = before?.ByTokenizer.FirstOrDefault(x => x.Tokenizer == a.Tokenizer);
                string Cells(string figure, string mine, string? theirs) => before is null ? $"| {a.Tokenizer} | {figure} | {mine} |" : $"| {a.Tokenizer} | {figure} | {mine} | {theirs} |";
                string Pct(global::TracrInjection.Injection.LanguageEvaluation.Accuracy x) => F($"{100 * x.Value:F1}% ± {100 * x.HalfWidth95:F1}");
                foreach (var p in a.Perplexity)
                    sb.AppendLine(Cells($"perplexity {p.File}", F($"{p.Perplexity:F2}"), b?.Perplexity.FirstOrDefault(x => x.File == p.File) is { } q ? F($"{q.Perplexity:F2}") : ""));
                sb.AppendLine(Cells("cloze", Pct(a.Cloze), b is null ? "" : Pct(b.Cloze)));
                sb.AppendLine(Cells("2-shot choice", Pct(a.Choice), b is null ? "" : Pct(b.Choice)));
            }
            sb.AppendLine();
        }
        sb.AppendLine("## Training data");
        sb.AppendLine();
        sb.AppendLine("Built by `scripts/setup.sh` (`tracr-inject corpus`) from Debian 12 packages, cleaned (markup stripped, wrapped lines");
        sb.AppendLine("joined, whitespace normalised), exact duplicates removed, split by a hash of each document's text: documents whose");
        sb.AppendLine("SHA-256 (first 8 bytes, big-endian) mod 10000 is below 100 are held out (about 1%).");
        sb.AppendLine();
        sb.AppendLine("| file | SHA-256 | tokens |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(F($"| train.txt | `{state.TrainSha256}` | {state.TrainTokens:N0} |"));
        sb.AppendLine(F($"| heldout.txt | `{state.HeldOutSha256}` | {state.HeldOutTokens:N0} |"));
        if (manifest?["files"]?[CorpusFiles.ProseHeldOutFileName]?["sha256"] is { } proseSha)
            sb.AppendLine(F($"| {CorpusFiles.ProseHeldOutFileName} | `{proseSha}` | (books and documentation; not used in training) |"));
        sb.AppendLine();
        if (manifest?["sources"] is JsonArray sources)
        {
            sb.AppendLine("| source | Debian packages | train documents | characters |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var s in sources.OfType<JsonObject>())
            {
                var packages = s["debian_packages"] is JsonObject p ? string.Join(", ", p.Select(kv => $"{kv.Key} {kv.Value}")) : "";
                long chars = (s["train_chars"]?.GetValue<long>() ?? 0) + (s["heldout_chars"]?.GetValue<long>() ?? 0);
                sb.AppendLine(F($"| {s["name"]} | {packages} | {s["train_documents"]} | {chars:N0} |"));
            }
            sb.AppendLine();
            sb.AppendLine("What each source is, and its licence, is in `data/corpus/README.md`; the licences themselves are in each package's");
            sb.AppendLine("`/usr/share/doc/PACKAGE/copyright`.");
            sb.AppendLine();
        }
        sb.AppendLine("## Recipe");
        sb.AppendLine();
        sb.AppendLine("| setting | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(F($"| objective | next-token cross-entropy on packed {o.ContextLength}-token sequences, each document preceded by the end-of-text token 50256 |"));
        sb.AppendLine(F($"| batch | {o.BatchSize} sequences × {o.ContextLength} tokens = {o.TokensPerStep:N0} tokens per step |"));
        sb.AppendLine(F($"| optimizer | AdamW, β = ({o.Beta1}, {o.Beta2}), ε = {o.Epsilon:G}, weight decay {o.WeightDecay} on matrices |"));
        sb.AppendLine(F($"| learning rate | peak {o.PeakLearningRate:G}, linear warmup {o.WarmupSteps} steps, cosine decay to {o.PeakLearningRate * o.MinLearningRateRatio:G4} |"));
        sb.AppendLine(F($"| gradient clipping | global norm {o.GradientClip} |"));
        sb.AppendLine(grown
            ? F($"| initialisation | grown from the shallower model (see Lineage); the new blocks' other weights GPT-2's (N(0, 0.02)), seed {o.Seed} |")
            : F($"| initialisation | GPT-2's (N(0, 0.02), residual projections scaled by 1/√(2·n_layer)), seed {o.Seed} |"));
        sb.AppendLine(F($"| steps | {state.Step:N0} |"));
        foreach (var change in state.ScheduleChanges)
            sb.AppendLine(F($"| schedule change | at step {change.AtStep:N0} the end of the run moved from step {change.OldTotalSteps:N0} to {change.NewTotalSteps:N0} (`--resume --steps`); the cosine decay was recomputed for the new length |"));
        sb.AppendLine(F($"| tokens seen | {state.TokensSeen:N0} ({epochs:F2} epochs of train.txt) |"));
        sb.AppendLine(F($"| wall time | {TimeSpan.FromSeconds(state.ElapsedSeconds):h\\:mm\\:ss} on {Environment.ProcessorCount} CPU cores shared with other work (TorchSharp; float32 weights and optimizer{(o.BFloat16Unembedding ? ", bfloat16 unembedding" : "")}), {trainRate:F0} tokens/s on average |"));
        sb.AppendLine();
        sb.AppendLine("Command (run from the repository root after `scripts/setup.sh`):");
        sb.AppendLine();
        foreach (var command in state.Commands) sb.AppendLine("    " + command);
        sb.AppendLine();
        sb.AppendLine("`trainer_state.json` holds this run's full state without the optimizer: settings, schedule, logs. To train further");
        sb.AppendLine("from this folder alone (a new run whose Adam moments start afresh):");
        sb.AppendLine();
        sb.AppendLine(F($"    tracr-inject pretrain --grow-from default --layers {c.NLayer} --embd {c.NEmbd} --heads {c.NHead} --context {c.NPositions} --steps N --out runs/pretrain-next"));
        sb.AppendLine();
        sb.AppendLine("The periodic held-out points in the curve score the first " + o.EvalSequences + " windows of the held-out stream (mostly fortunes,");
        sb.AppendLine("the hardest source); the points marked \"all\" and the figure above score all of it.");
        return sb.ToString();
    }
}

/// <summary>The training-curve PNG: train loss (per logging interval) and held-out loss against tokens seen.</summary>
public static class TrainingCurve
{
    public static void Save(PretrainingState state, string path, int width = 900, int height = 520)
    {
        var plot = new ScottPlot.Plot();
        if (state.TrainLog.Count > 0)
        {
            var train = plot.Add.Scatter(state.TrainLog.Select(p => p.Tokens / 1e6).ToArray(), state.TrainLog.Select(p => p.Loss).ToArray());
            train.LegendText = "train loss";
            train.MarkerSize = 0;
            train.LineWidth = 1.5f;
        }
        if (state.EvalLog.Count > 0)
        {
            // Periodic evaluations score a prefix of the held-out stream; the end of a run scores all of it.
            long all = state.EvalLog.Max(p => p.Predictions);
            var partial = state.EvalLog.Where(p => p.Predictions < all).ToList();
            var full = state.EvalLog.Where(p => p.Predictions == all).ToList();
            if (partial.Count > 0)
            {
                var eval = plot.Add.Scatter(partial.Select(p => p.Tokens / 1e6).ToArray(), partial.Select(p => p.Loss).ToArray());
                eval.LegendText = $"held-out loss (first {state.Options.EvalSequences} windows)";
                eval.MarkerSize = 7;
                eval.LineWidth = 1.5f;
            }
            var whole = plot.Add.Scatter(full.Select(p => p.Tokens / 1e6).ToArray(), full.Select(p => p.Loss).ToArray());
            whole.LegendText = "held-out loss (all)";
            whole.MarkerSize = 10;
            whole.LineWidth = 0;
            whole.MarkerShape = ScottPlot.MarkerShape.FilledDiamond;
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"GPT-2 {state.Options.NLayer}×{state.Options.NEmbd} pretraining: final held-out loss {state.FinalHeldOutLoss:F3}"));
        plot.XLabel("tokens seen (millions)");
        plot.YLabel("cross-entropy (nats per token)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        var bytes = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
