using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Cli.LanguageModel;

public sealed record ExportedModelCard(string Directory, long FileBytes, double HeldOutLoss, double HeldOutPerplexity, long HeldOutPredictions, IReadOnlyList<(string Prompt, string Continuation)> Samples);

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
    public const long MaxModelBytes = 32L * 1024 * 1024;

    public static readonly string[] SamplePrompts =
    [
        "The meaning of the word",
        "In the beginning of the",
        "A man who",
        "Science is",
        "The computer",
    ];

    public static ExportedModelCard Export(string checkpointDirectory, string exportDirectory, string corpusDirectory, Action<string>? log = null)
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
            var samples = SamplePrompts.Select(p => (p, Gpt2Generation.GenerateGreedy(model, folderTokenizer, [p],
                new Gpt2GenerationOptions
                {
                    MaxNewTokens = Math.Max(0, Math.Min(40, model.Config.NPositions - folderTokenizer.CountTokens(p))),
                    StopTokenIds = [folderTokenizer.EndOfTextId],
                })[0])).ToList();

            TrainingCurve.Save(state, Path.Combine(temp, CurveFileName));
            var manifest = TryReadManifest(corpusDirectory);
            var card = new ExportedModelCard(full, bytes, score.MeanLoss, score.Perplexity, score.TokenCount, samples);
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
        sb.AppendLine("A small GPT-2-architecture model (GPT-2 byte-level BPE tokenizer, 50257 tokens), pre-trained from scratch by this");
        sb.AppendLine("repository's `tracr-inject pretrain` on English text from Debian packages. It is the model that injection");
        sb.AppendLine(F($"works on when no other checkpoint is given (`--model default`). It is small and was trained for {TimeSpan.FromSeconds(state.ElapsedSeconds):h\\:mm} (h:mm)"));
        sb.AppendLine("on a shared two-core CPU machine: expect dictionary-flavoured English with local fluency, not facts.");
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
            sb.AppendLine("Sources: fortunes (fortune cookie quotations), WordNet 3.0 glosses and examples, GCIDE (Webster's 1913 and");
            sb.AppendLine("later additions: definitions and literary quotations), the Jargon File. Their licences are in each package's");
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
        sb.AppendLine(F($"| learning rate | peak {o.PeakLearningRate:G}, linear warmup {o.WarmupSteps} steps, cosine decay to {o.PeakLearningRate * o.MinLearningRateRatio:G} |"));
        sb.AppendLine(F($"| gradient clipping | global norm {o.GradientClip} |"));
        sb.AppendLine(F($"| initialisation | GPT-2's (N(0, 0.02), residual projections scaled by 1/√(2·n_layer)), seed {o.Seed} |"));
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
