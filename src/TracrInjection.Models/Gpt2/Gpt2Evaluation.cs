using TorchSharp;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Models.Gpt2;

/// <summary>Token-weighted mean next-token cross-entropy (nats) and its exponential.</summary>
public sealed record Gpt2LossResult(double MeanLoss, long TokenCount)
{
    public double Perplexity => Math.Exp(MeanLoss);
}

public static class Gpt2Evaluation
{
    /// <summary>
    /// Mean next-token loss over all predicted tokens of all sequences (a sequence of n tokens
    /// gives n-1 predictions; each prediction weighs the same). Sequences longer than
    /// <paramref name="maxLength"/> (default n_positions) are cut to their first tokens.
    /// Runs in eval mode without gradients; the training flag is restored.
    /// </summary>
    public static Gpt2LossResult MeanTokenLoss(Gpt2Model model, IReadOnlyList<int[]> sequences, int batchSize = 8, int? maxLength = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int limit = Math.Min(maxLength ?? model.Config.NPositions, model.Config.NPositions);
        var usable = sequences.Select(s => s.Length > limit ? s[..limit] : s).Where(s => s.Length >= 2).ToList();
        if (usable.Count == 0) return new Gpt2LossResult(double.NaN, 0);

        var device = model.TokenEmbedding.weight!.device;
        bool wasTraining = model.training;
        model.eval();
        double total = 0;
        long count = 0;
        try
        {
            using var _ = no_grad();
            // Similar lengths in one batch waste less compute on padding.
            var ordered = usable.OrderBy(s => s.Length).ToList();
            for (int start = 0; start < ordered.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = ordered.Skip(start).Take(batchSize).ToList();
                int len = chunk.Max(s => s.Length);
                var ids = new long[chunk.Count * len];
                var targets = new long[chunk.Count * (len - 1)];
                Array.Fill(targets, -100L);
                for (int b = 0; b < chunk.Count; b++)
                {
                    // Right padding: causal attention keeps real tokens from seeing it.
                    for (int t = 0; t < chunk[b].Length; t++) ids[b * len + t] = chunk[b][t];
                    for (int t = 0; t + 1 < chunk[b].Length; t++) targets[b * (len - 1) + t] = chunk[b][t + 1];
                }
                var input = torch.tensor(ids, new long[] { chunk.Count, len }, device: device);
                var target = torch.tensor(targets, new long[] { chunk.Count * (len - 1) }, device: device);
                using var output = model.Forward(input);
                var logits = output.Logits!.narrow(1, 0, len - 1).reshape(-1, model.Config.VocabSize).to_type(ScalarType.Float32);
                total += F.cross_entropy(logits, target, ignore_index: -100, reduction: nn.Reduction.Sum).item<float>();
                count += chunk.Sum(s => s.Length - 1);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new Gpt2LossResult(total / count, count);
    }

    /// <summary>
    /// <see cref="MeanTokenLoss(Gpt2Model, IReadOnlyList{int[]}, int, int?)"/> on tokenized texts.
    /// With <paramref name="prependEndOfText"/> the first token of each text is scored too
    /// (conditioned on &lt;|endoftext|&gt;, GPT-2's document separator).
    /// </summary>
    public static Gpt2LossResult MeanTokenLoss(Gpt2Model model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> texts,
        int batchSize = 8, bool prependEndOfText = false, int? maxLength = null)
    {
        if (prependEndOfText && tokenizer.EndOfTextId < 0)
            throw new ArgumentException("The tokenizer has no <|endoftext|> token to prepend.", nameof(prependEndOfText));
        var sequences = texts.Select(t =>
        {
            var ids = tokenizer.Encode(t);
            return prependEndOfText ? new[] { tokenizer.EndOfTextId }.Concat(ids).ToArray() : ids;
        }).ToList();
        return MeanTokenLoss(model, sequences, batchSize, maxLength);
    }
}
