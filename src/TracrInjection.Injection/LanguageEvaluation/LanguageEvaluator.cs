using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.LanguageEvaluation;

/// <summary>What to measure: sizes of the two tasks, tokenizers, where the text comes from.</summary>
public sealed record LanguageEvaluationOptions
{
    public int ClozePassages { get; init; } = 2000;
    public int ChoiceItems { get; init; } = 2000;
    public IReadOnlyList<Gpt2TokenizerVariant> Tokenizers { get; init; } =
        [Gpt2TokenizerVariant.Standard, Gpt2TokenizerVariant.SplitDigits, Gpt2TokenizerVariant.SplitBrackets];
    /// <summary>Folder with heldout.txt (and heldout-prose.txt when present).</summary>
    public required string CorpusDirectory { get; init; }
    public string WordNetDirectory { get; init; } = ChoiceTask.DefaultWordNetDirectory;
    /// <summary>Held-out perplexity on at most this many windows per file (null: all, as the model card).</summary>
    public int? MaxPerplexityWindows { get; init; }

    public void Validate()
    {
        if (ClozePassages < 1) throw new ArgumentException($"the cloze needs at least 1 passage (got {ClozePassages}).");
        if (ChoiceItems < 2 || ChoiceItems % 2 != 0) throw new ArgumentException($"the choice task needs an even number of items, at least 2 (got {ChoiceItems}).");
        if (Tokenizers.Count == 0) throw new ArgumentException("give at least one tokenizer.");
        if (MaxPerplexityWindows is < 1) throw new ArgumentException("perplexity windows must be at least 1.");
    }
}

/// <summary>
/// Retained language ability, measured the same way before and after an injection: held-out
/// perplexity (the model card's windows and scoring), a LAMBADA-style cloze
/// (<see cref="ClozeTask"/>) and a 2-shot choice task (<see cref="ChoiceTask"/>), each under every
/// tokenizer the tasks use, since the injected model reads the task tokenizer's ids.
/// </summary>
public static class LanguageEvaluator
{
    public static LanguageEvaluationReport Evaluate(Gpt2Model model, string modelName, LanguageEvaluationOptions options, Action<string, double>? progress = null)
    {
        options.Validate();
        var cloze = ClozeTask.FromCorpus(options.CorpusDirectory, options.ClozePassages);
        var choice = ChoiceTask.FromWordNet(options.ChoiceItems, options.WordNetDirectory);
        var heldOutFiles = new[] { CorpusFiles.HeldOutFileName, CorpusFiles.ProseHeldOutFileName }
            .Select(f => Path.Combine(options.CorpusDirectory, f)).Where(File.Exists).ToList();
        var results = new List<LanguageAbility>();
        foreach (var variant in options.Tokenizers)
        {
            var tokenizer = Gpt2Tokenizer.Create(variant);
            string name = TokenizerName(variant);
            var perplexities = new List<HeldOutPerplexity>();
            foreach (var file in heldOutFiles)
            {
                progress?.Invoke($"{name}: perplexity of {Path.GetFileName(file)}", 0);
                var stream = PretrainingData.TokenStream(CorpusFiles.ReadDocuments(file), tokenizer);
                var score = LanguageModelScoring.Score(model, stream, maxWindows: options.MaxPerplexityWindows);
                perplexities.Add(new HeldOutPerplexity(Path.GetFileName(file), score.MeanLoss, score.TokenCount));
            }
            var clozeAccuracy = ScoreCloze(model, tokenizer, cloze, f => progress?.Invoke($"{name}: cloze", f));
            var choiceAccuracy = ScoreChoice(model, tokenizer, choice, f => progress?.Invoke($"{name}: 2-shot choice", f));
            results.Add(new LanguageAbility(name, perplexities, clozeAccuracy, choiceAccuracy));
        }
        string? proseSha = File.Exists(Path.Combine(options.CorpusDirectory, CorpusFiles.ProseHeldOutFileName))
            ? CorpusFiles.Sha256OfFile(Path.Combine(options.CorpusDirectory, CorpusFiles.ProseHeldOutFileName)) : null;
        return new LanguageEvaluationReport(modelName, results, new LanguageEvaluationSettings(cloze.Count, choice.Count,
            CorpusFiles.Sha256OfFile(Path.Combine(options.CorpusDirectory, CorpusFiles.HeldOutFileName)), proseSha));
    }

    public static string TokenizerName(Gpt2TokenizerVariant v) => v switch
    {
        Gpt2TokenizerVariant.Standard => "standard",
        Gpt2TokenizerVariant.SplitDigits => "split-digits",
        Gpt2TokenizerVariant.SplitBrackets => "split-brackets",
        _ => v.ToString(),
    };

    public static Gpt2TokenizerVariant ParseTokenizer(string name) => name.Trim().ToLowerInvariant() switch
    {
        "standard" => Gpt2TokenizerVariant.Standard,
        "split-digits" => Gpt2TokenizerVariant.SplitDigits,
        "split-brackets" => Gpt2TokenizerVariant.SplitBrackets,
        _ => throw new ArgumentException($"unknown tokenizer '{name}' (standard, split-digits, split-brackets)."),
    };

    /// <summary>Greedy exact match of the target word: every one of its tokens is the argmax, teacher-forced.</summary>
    public static Accuracy ScoreCloze(Gpt2Model model, Gpt2Tokenizer tokenizer, IReadOnlyList<ClozePassage> passages, Action<double>? progress = null)
    {
        var sequences = new List<int[]>(passages.Count);
        var positions = new List<int[]>(passages.Count);
        var targets = new List<int[]>(passages.Count);
        foreach (var p in passages)
        {
            var context = tokenizer.Encode(p.Context);
            var target = tokenizer.Encode(" " + p.Target);
            // Keep the target and as much context as fits in the window.
            int keep = Math.Min(context.Length, model.Config.NPositions - 1 - target.Length);
            var sequence = new[] { tokenizer.EndOfTextId }.Concat(context[^keep..]).Concat(target).ToArray();
            // After BOS and `keep` context tokens, the last context token (index keep) predicts the first target token.
            positions.Add(Enumerable.Range(keep, target.Length).ToArray());
            sequences.Add(sequence);
            targets.Add(target);
        }
        int correct = 0;
        NextTokenLogits.ForEach(model, sequences, positions, (i, logits) =>
        {
            var predicted = logits.argmax(1).data<long>().ToArray();
            if (predicted.Select(x => (int)x).SequenceEqual(targets[i])) correct++;
        }, progress: done => progress?.Invoke((double)done / passages.Count));
        return new Accuracy(correct, passages.Count);
    }

    /// <summary>Right when the logit of the right answer's first token beats the other's.</summary>
    public static Accuracy ScoreChoice(Gpt2Model model, Gpt2Tokenizer tokenizer, IReadOnlyList<ChoiceItem> items, Action<double>? progress = null)
    {
        var answerIds = ChoiceTask.Answers.Select(a => tokenizer.Encode(" " + a)[0]).ToArray();
        var sequences = items.Select(it => new[] { tokenizer.EndOfTextId }.Concat(tokenizer.Encode(it.Prompt)).ToArray()).ToList();
        var positions = sequences.Select(s => new[] { s.Length - 1 }).ToList();
        int correct = 0;
        NextTokenLogits.ForEach(model, sequences, positions, (i, logits) =>
        {
            var row = logits[0];
            float right = row[answerIds[items[i].Answer]].item<float>();
            float wrong = row[answerIds[1 - items[i].Answer]].item<float>();
            if (right > wrong) correct++;
        }, progress: done => progress?.Invoke((double)done / items.Count));
        return new Accuracy(correct, items.Count);
    }
}
