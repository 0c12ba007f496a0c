using TorchSharp;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Injection.LanguageEvaluation;

/// <summary>
/// Next-token logits at chosen positions of many sequences, batched by length. Only the chosen
/// positions are unembedded: on a small GPT-2 the 50,257-way unembedding is most of the cost, and
/// an evaluation needs it at a handful of positions per sequence.
/// </summary>
public static class NextTokenLogits
{
    /// <summary>
    /// For each sequence, calls <paramref name="visit"/> with its index and the [positions × vocab]
    /// logits (float32, CPU) at <paramref name="positions"/> of that sequence. Sequences longer than
    /// n_positions lose their first tokens (positions shift with them).
    /// </summary>
    public static void ForEach(Gpt2Model model, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> positions,
        Action<int, Tensor> visit, int batchSize = 16, Action<int>? progress = null)
    {
        int limit = model.Config.NPositions;
        var device = model.TokenEmbedding.weight!.device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var order = Enumerable.Range(0, sequences.Count).OrderBy(i => sequences[i].Length).ToList();
            int done = 0;
            for (int start = 0; start < order.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = order.Skip(start).Take(batchSize).ToList();
                var cut = chunk.Select(i => Math.Max(0, sequences[i].Length - limit)).ToList();
                int len = chunk.Select((i, k) => sequences[i].Length - cut[k]).Max();
                var ids = new long[chunk.Count * len];
                var rows = new List<long>();
                for (int k = 0; k < chunk.Count; k++)
                {
                    var s = sequences[chunk[k]];
                    for (int t = cut[k]; t < s.Length; t++) ids[k * len + t - cut[k]] = s[t];
                    foreach (var p in positions[chunk[k]])
                    {
                        int shifted = p - cut[k];
                        if (shifted < 0) throw new ArgumentException($"position {p} of sequence {chunk[k]} falls before its last {limit} tokens.");
                        rows.Add((long)k * len + shifted);
                    }
                }
                var input = torch.tensor(ids, new long[] { chunk.Count, len }, device: device);
                using var output = model.Forward(input, new Gpt2ForwardOptions { SkipLogits = true });
                var hidden = output.LastHiddenState.reshape(-1, model.Config.NEmbd).index_select(0, torch.tensor(rows.ToArray(), device: device));
                var logits = torch.matmul(hidden, model.TokenEmbedding.weight!.t()).to(torch.CPU);
                int row = 0;
                for (int k = 0; k < chunk.Count; k++)
                {
                    int n = positions[chunk[k]].Length;
                    visit(chunk[k], logits.narrow(0, row, n));
                    row += n;
                }
                done += chunk.Count;
                progress?.Invoke(done);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
