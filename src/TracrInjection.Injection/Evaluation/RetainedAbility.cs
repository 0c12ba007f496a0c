using System.Security.Cryptography;
using System.Text;
using TracrInjection.Injection.LanguageEvaluation;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Evaluation;

/// <summary>One tokenizer's retained-ability figures of the original model and the trained one (issue 9 item 4).</summary>
public sealed record RetainedAbilityRow
{
    public required string Tokenizer { get; init; }
    /// <summary>Held-out file → perplexity of the original model.</summary>
    public required IReadOnlyDictionary<string, double> PerplexityBefore { get; init; }
    public required IReadOnlyDictionary<string, double> PerplexityAfter { get; init; }
    public required double ClozeBefore { get; init; }
    public required double ClozeAfter { get; init; }
    public required double ChoiceBefore { get; init; }
    public required double ChoiceAfter { get; init; }
}

/// <summary><c>lm-eval</c>'s figures before and after training, per tokenizer (the task's and the standard one).</summary>
public sealed record RetainedAbilityMetrics
{
    public required IReadOnlyList<RetainedAbilityRow> Rows { get; init; }
    public int ClozePassages { get; init; }
    public int ChoiceItems { get; init; }
    /// <summary>Whether the original model's report came from the cache (the same model files and settings).</summary>
    public bool OriginalFromCache { get; init; }
    /// <summary>The full reports, in the run folder.</summary>
    public string ReportFile { get; init; } = RetainedAbility.FileName;
}

/// <summary>
/// Runs <see cref="LanguageEvaluator"/> on a trained model and on its original, and pairs the figures. The original's
/// report is cached per model files + settings in a folder (the experiment's), so a matrix computes it once.
/// </summary>
public static class RetainedAbility
{
    /// <summary>The run folder's file with both full reports (<c>{"before": ..., "after": ...}</c>).</summary>
    public const string FileName = "lm_eval.json";

    public static RetainedAbilityMetrics Measure(Gpt2Model trained, string originalDirectory, LanguageEvaluationOptions options,
        string runDirectory, string? cacheDirectory, Action<string>? log = null)
    {
        bool cached = false;
        LanguageEvaluationReport? before = null;
        string? cachePath = cacheDirectory is null ? null : Path.Combine(cacheDirectory, CacheKey(originalDirectory, options) + ".json");
        if (cachePath is not null && File.Exists(cachePath))
        {
            try
            {
                before = LanguageEvaluationJson.Load(cachePath);
                cached = true;
                log?.Invoke($"retained ability of the original model: from the cache {cachePath}");
            }
            catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException)
            {
                before = null;
            }
        }
        if (before is null)
        {
            log?.Invoke("retained ability: measuring the original model");
            using var original = Gpt2Checkpoint.Load(originalDirectory, trained.TokenEmbedding.weight!.device);
            before = LanguageEvaluator.Evaluate(original, originalDirectory, options);
            if (cachePath is not null)
            {
                Directory.CreateDirectory(cacheDirectory!);
                LanguageEvaluationJson.Save(before, cachePath);
            }
        }
        log?.Invoke("retained ability: measuring the trained model");
        var after = LanguageEvaluator.Evaluate(trained, runDirectory, options);
        Models.AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName),
            $"{{\"before\": {LanguageEvaluationJson.Serialize(before)},\n\"after\": {LanguageEvaluationJson.Serialize(after)}}}\n");
        var rows = before.ByTokenizer.Zip(after.ByTokenizer, (b, a) => new RetainedAbilityRow
        {
            Tokenizer = b.Tokenizer,
            PerplexityBefore = b.Perplexity.ToDictionary(p => p.File, p => p.Perplexity),
            PerplexityAfter = a.Perplexity.ToDictionary(p => p.File, p => p.Perplexity),
            ClozeBefore = b.Cloze.Value, ClozeAfter = a.Cloze.Value,
            ChoiceBefore = b.Choice.Value, ChoiceAfter = a.Choice.Value,
        }).ToList();
        foreach (var r in rows)
            log?.Invoke(FormattableString.Invariant(
                $"retained ability ({r.Tokenizer}): perplexity {string.Join(", ", r.PerplexityBefore.Select(p => $"{p.Key} {p.Value:F1} → {r.PerplexityAfter.GetValueOrDefault(p.Key):F1}"))}; cloze {r.ClozeBefore:P1} → {r.ClozeAfter:P1}; 2-shot {r.ChoiceBefore:P1} → {r.ChoiceAfter:P1}"));
        return new RetainedAbilityMetrics
        {
            Rows = rows, ClozePassages = after.Settings.ClozePassages, ChoiceItems = after.Settings.ChoiceItems, OriginalFromCache = cached,
        };
    }

    /// <summary>The task tokenizer first, then the standard one (once when they are the same).</summary>
    public static IReadOnlyList<Gpt2TokenizerVariant> Tokenizers(Gpt2TokenizerVariant task) =>
        task == Gpt2TokenizerVariant.Standard ? [task] : [task, Gpt2TokenizerVariant.Standard];

    /// <summary>SHA-256 over the model folder's files (names and contents) and the settings.</summary>
    public static string CacheKey(string modelDirectory, LanguageEvaluationOptions options)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(modelDirectory).OrderBy(f => f, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 20];
            int n;
            while ((n = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
        }
        string settings = FormattableString.Invariant(
            $"{options.ClozePassages}|{options.ChoiceItems}|{string.Join(',', options.Tokenizers)}|{options.MaxPerplexityWindows}|{Path.GetFullPath(options.CorpusDirectory)}|{options.WordNetDirectory}");
        foreach (var f in new[] { Corpus.CorpusFiles.HeldOutFileName, Corpus.CorpusFiles.ProseHeldOutFileName })
        {
            string p = Path.Combine(options.CorpusDirectory, f);
            if (File.Exists(p)) settings += "|" + Corpus.CorpusFiles.Sha256OfFile(p);
        }
        sha.AppendData(Encoding.UTF8.GetBytes(settings));
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
