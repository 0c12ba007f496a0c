using System.Diagnostics;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Plots;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models;

namespace TracrInjection.Injection.Evaluation;

/// <summary>
/// Evaluates a trained run (paper.md §4): greedy exact-match accuracy on the in-distribution test split and every
/// OOD split; held-out perplexity before and after; for injection runs, decodability of every RASP variable at every
/// aligned layer and the causal noise test. Writes metrics.json and the plots into the run folder.
/// </summary>
public static class RunEvaluator
{
    /// <summary>
    /// Evaluates the run in <paramref name="runDirectory"/>. <paramref name="languageCache"/> is where the original model's
    /// retained-ability report is cached (default: <c>.lm-eval-cache</c> beside the run folder).
    /// </summary>
    public static RunMetrics Evaluate(string runDirectory, Action<string>? log = null, HeldOutCorpus? corpus = null, string? languageCache = null)
    {
        var clock = Stopwatch.StartNew();
        using var run = LoadedRun.Open(runDirectory);
        var o = run.Options;
        var e = o.Evaluation;
        var data = run.Data;

        // Accuracy per split.
        var accuracy = new Dictionary<string, double>(StringComparer.Ordinal);
        var details = new Dictionary<string, AccuracyResult>(StringComparer.Ordinal);
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        List<int>? answerDigits = null;
        Dictionary<string, double>? byDigits = null;
        foreach (var name in data.EvaluatedSplits)
        {
            var split = TaskDataset.Sample(data.Split(name), e.MaxItemsPerSplit, o.Seed);
            var perItem = new List<bool>();
            var sw = Stopwatch.StartNew();
            var result = TaskAccuracy.Evaluate(run.Model, run.Tokenizer, split, e.BatchSize, perItem: perItem);
            accuracy[name] = result.Accuracy;
            details[name] = result;
            items[name] = ItemResults.Encode(perItem);
            log?.Invoke($"{name}: {result.Correct}/{result.Total} = {result.Accuracy:P1}" +
                        (result.TooLong > 0 ? $" ({result.TooLong} longer than the context, counted wrong)" : "") + $" [{sw.Elapsed.TotalSeconds:F0} s]");
            if (run.Task.Kind == InjectionTaskKind.Count && name == InjectionTask.InDistribution)
            {
                answerDigits = split.Select(x => x.Label.Length).ToList();
                byDigits = split.Select((x, i) => (Digits: x.Label.Length, Ok: perItem[i]))
                    .GroupBy(x => x.Digits).OrderBy(g => g.Key)
                    .ToDictionary(g => $"{g.Key}_digit", g => g.Average(x => x.Ok ? 1.0 : 0.0));
            }
        }

        // Perplexity on the held-out documents the KL never saw, before and after.
        PerplexityMetrics? perplexity = null;
        try
        {
            corpus ??= HeldOutCorpus.Load(o.CorpusDirectory);
            int window = e.PerplexityWindowLength ?? Math.Min(run.Model.Config.NPositions, 256);
            var stream = PretrainingData.TokenStream(corpus.EvaluationDocuments, run.Tokenizer);
            var windows = LanguageModelScoring.Windows(stream, window, e.PerplexityWindows);
            using var original = Gpt2Checkpoint.Load(run.Folder.Config.ModelDirectory, run.Model.TokenEmbedding.weight!.device);
            var before = Gpt2Evaluation.MeanTokenLoss(original, windows, 8);
            var after = Gpt2Evaluation.MeanTokenLoss(run.Model, windows, 8);
            perplexity = new PerplexityMetrics(before.Perplexity, after.Perplexity, after.TokenCount, windows.Count,
                $"{corpus.Path}: odd-numbered documents, {window}-token windows, task tokenizer");
            log?.Invoke($"held-out perplexity: {before.Perplexity:F2} before, {after.Perplexity:F2} after ({after.TokenCount} tokens)");
        }
        catch (FileNotFoundException ex)
        {
            log?.Invoke($"perplexity skipped: {ex.Message}");
        }

        DecodabilityMetrics? decoding = null;
        CausalMetrics? causal = null, causalAbsolute = null;
        if (o.AlgorithmLoss)
        {
            var decodeItems = TaskDataset.Sample(data.Test, e.DecodeItems, o.Seed + 1);
            var d = Decodability.Evaluate(run.Model, run.Adapter, run.Parts, decodeItems, e.BatchSize);
            var last = d.Variables.Values.Select(v => v[^1]).Where(v => v is not null).Select(v => v!.Value).ToList();
            decoding = new DecodabilityMetrics(d.HiddenIndices, d.CompiledLayers, d.Variables, last.Count == 0 ? double.NaN : last.Average(),
                d.TeacherAccuracy, d.Items, d.Positions);
            log?.Invoke($"decodability at the last aligned layer: mean {decoding.MeanAtLastLayer:P1} over {last.Count} variables; teacher's own accuracy {d.TeacherAccuracy:P1}");

            var causalItems = TaskDataset.Sample(data.Test, e.CausalItems ?? e.MaxItemsPerSplit, o.Seed + 2);
            var c = CausalTest.Run(run.Model, run.Tokenizer, causalItems, run.Adapter.weight!, run.Parts.OutputDims, run.Parts.Alignment.RollBlock,
                e.CausalNorms, e.CausalNormsRelative, o.Seed, e.BatchSize, log);
            causal = new CausalMetrics(c.Block, c.SubspaceDimension, c.NormScale, c.Norms, c.ResultSubspace, c.RandomSubspace, c.Items)
            {
                IsotropicSubspace = c.IsotropicSubspace,
            };
            if (e.CausalNormsRelative && e.CausalAbsoluteNorms is { Length: > 0 } absolute)
            {
                var ca = CausalTest.Run(run.Model, run.Tokenizer, causalItems, run.Adapter.weight!, run.Parts.OutputDims, run.Parts.Alignment.RollBlock,
                    absolute, relative: false, o.Seed, e.BatchSize, log);
                causalAbsolute = new CausalMetrics(ca.Block, ca.SubspaceDimension, ca.NormScale, ca.Norms, ca.ResultSubspace, ca.RandomSubspace, ca.Items)
                {
                    IsotropicSubspace = ca.IsotropicSubspace,
                };
            }
        }

        RetainedAbilityMetrics? retained = null;
        if (e.RetainedAbility)
        {
            try
            {
                var lmOptions = new LanguageEvaluation.LanguageEvaluationOptions
                {
                    CorpusDirectory = o.CorpusDirectory ?? Corpus.CorpusFiles.DefaultDirectory(),
                    ClozePassages = e.LanguageClozePassages,
                    ChoiceItems = e.LanguageChoiceItems,
                    MaxPerplexityWindows = e.LanguagePerplexityWindows,
                    Tokenizers = RetainedAbility.Tokenizers(run.Task.TokenizerVariant(o.Fixes)),
                };
                retained = RetainedAbility.Measure(run.Model, run.Folder.Config.ModelDirectory, lmOptions, run.Folder.Root,
                    languageCache ?? Path.Combine(Path.GetDirectoryName(run.Folder.Root)!, ".lm-eval-cache"), log);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException)
            {
                log?.Invoke($"retained ability skipped: {ex.Message}");
            }
        }

        var logEntries = run.Folder.ReadLog();
        var lastLog = logEntries.LastOrDefault();
        var metrics = new RunMetrics
        {
            Task = run.Task.Name,
            Run = run.Folder.Root,
            Method = o.Baseline ? "baseline" : "injection",
            Preset = o.Preset.ToString().ToLowerInvariant(),
            Ablations = InjectionFixes.Catalogue.Select(f => new AblationEntry(f.Name, o.Fixes.IsOn(f.Name), f.Description)).ToList(),
            Steps = run.State.Step,
            TrainingSeconds = run.State.TrainingSeconds,
            Model = run.Folder.Config.ModelName,
            ModelLayers = run.Model.Config.NLayer,
            ModelWidth = run.Model.Config.NEmbd,
            TeacherLayers = run.Parts.Teacher.Layers.Count,
            TeacherWidth = run.Parts.Teacher.ResidualWidth,
            Alignment = run.Parts.Alignment.Note,
            Accuracy = accuracy,
            AccuracyDetails = details,
            AccuracyByAnswerDigits = byDigits,
            Perplexity = perplexity,
            Decodability = decoding,
            Causal = causal,
            CausalAbsolute = causalAbsolute,
            RetainedAbility = retained,
            FinalLosses = lastLog is null ? null : new Dictionary<string, double>
            {
                ["ce"] = lastLog.Ce, ["kl"] = lastLog.Kl, ["algorithm"] = lastLog.Algorithm, ["total"] = lastLog.Total,
            },
            EvaluationSeconds = clock.Elapsed.TotalSeconds,
        };
        new ItemResults { Splits = items, InDistributionAnswerDigits = answerDigits }.Save(run.Folder.Root);
        AtomicFile.WriteAllText(run.Folder.MetricsPath, metrics.ToJson());
        WritePlots(run.Folder, metrics, logEntries);
        log?.Invoke($"wrote {run.Folder.MetricsPath} and plots in {run.Folder.PlotsDirectory}");
        return metrics;
    }

    public static RunMetrics ReadMetrics(string runDirectory)
    {
        var folder = RunFolder.Open(runDirectory);
        if (!File.Exists(folder.MetricsPath))
            throw new FileNotFoundException($"run '{folder.Root}' has no {RunFolder.MetricsFile}: run 'evaluate --run {runDirectory}' first", folder.MetricsPath);
        return RunMetrics.FromJson(File.ReadAllText(folder.MetricsPath), folder.MetricsPath);
    }

    public static void WritePlots(RunFolder folder, RunMetrics m, IReadOnlyList<TrainingLogEntry> log)
    {
        string dir = folder.PlotsDirectory;
        Directory.CreateDirectory(dir);
        string who = $"{m.Task} {m.Method} ({m.Preset})";
        InjectionPlots.LossCurves(log, Path.Combine(dir, "loss_curves.png"), $"{who}: training losses");
        InjectionPlots.AccuracyBars(m.Accuracy.Keys.ToList(), [(m.Method, m.Accuracy)], Path.Combine(dir, "accuracy.png"), $"{who}: accuracy per split");
        if (m.Decodability is { } d)
        {
            var names = d.Variables.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var layers = d.HiddenStates.Select((h, k) => $"h{h}↔r{d.TeacherLayers[k]}").ToList();
            InjectionPlots.DecodingHeatmap(names, layers, names.Select(n => d.Variables[n]).ToArray(), Path.Combine(dir, "decoding_heatmap.png"),
                $"{who}: decoding accuracy of adapter(h) vs the teacher");
        }
        if (m.Causal is { } c)
            InjectionPlots.CausalCurves(c.Norms, c.ResultSubspace, c.RandomSubspace, Path.Combine(dir, "causal_noise.png"),
                $"{who}: accuracy under noise at block {c.Block}", c.IsotropicSubspace);
        if (m.CausalAbsolute is { } ca)
            InjectionPlots.CausalCurves(ca.Norms, ca.ResultSubspace, ca.RandomSubspace, Path.Combine(dir, "causal_noise_absolute.png"),
                $"{who}: accuracy under noise at block {ca.Block} (absolute norms)", ca.IsotropicSubspace);
    }
}
