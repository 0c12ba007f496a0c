using TracrInjection.Injection.Corpus;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Pretraining;

/// <summary>
/// The held-out metric: the documents' token stream (&lt;|endoftext|&gt; before each) is cut into
/// windows of n_positions tokens overlapping by one, so every token after the first is predicted
/// exactly once, from up to n_positions − 1 tokens of context. Mean loss over all predictions.
/// The pretraining evaluation and the <c>perplexity</c> command both use this.
/// </summary>
public static class LanguageModelScoring
{
    public static List<int[]> Windows(int[] stream, int windowLength, int? maxWindows = null)
    {
        if (windowLength < 2) throw new ArgumentOutOfRangeException(nameof(windowLength), "Windows need at least 2 tokens.");
        var windows = new List<int[]>();
        for (int start = 0; start + 1 < stream.Length; start += windowLength - 1)
        {
            if (maxWindows is { } max && windows.Count >= max) break;
            int len = Math.Min(windowLength, stream.Length - start);
            windows.Add(stream.AsSpan(start, len).ToArray());
        }
        return windows;
    }

    public static Gpt2LossResult Score(Gpt2Model model, int[] stream, int batchSize = 16, int? maxWindows = null) =>
        Gpt2Evaluation.MeanTokenLoss(model, Windows(stream, model.Config.NPositions, maxWindows), batchSize);

    public static Gpt2LossResult Score(Gpt2Model model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> documents, int batchSize = 16) =>
        Score(model, PretrainingData.TokenStream(documents, tokenizer), batchSize);

    /// <summary>Scores a text file (documents separated by &lt;|endoftext|&gt; lines; a plain file is one document).</summary>
    public static Gpt2LossResult ScoreFile(Gpt2Model model, Gpt2Tokenizer tokenizer, string path, int batchSize = 16) =>
        Score(model, tokenizer, CorpusFiles.ReadDocuments(path), batchSize);
}
