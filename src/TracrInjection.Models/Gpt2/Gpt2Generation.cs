using TorchSharp;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Models.Gpt2;

public sealed record Gpt2GenerationOptions
{
    public int MaxNewTokens { get; init; } = 20;
    /// <summary>A sequence stops after emitting any of these (the stop token is not part of <see cref="Gpt2GeneratedSequence.NewIds"/>).</summary>
    public IReadOnlyCollection<int> StopTokenIds { get; init; } = Array.Empty<int>();
    /// <summary>Reuse keys/values of earlier positions, so each new token costs one position's forward pass.</summary>
    public bool UseCache { get; init; } = true;
    /// <summary>Fills the left padding of shorter prompts; it is masked out (0 is used when outside the vocabulary).</summary>
    public int PadTokenId { get; init; } = 50256;
    /// <summary>Applied at every forward pass of the generation, e.g. to steer the residual stream.</summary>
    public Func<int, Tensor, Tensor>? BlockHook { get; init; }
    /// <summary>
    /// Hugging Face's <c>no_repeat_ngram_size</c>: never emit a token that would repeat an n-gram already in the
    /// sequence (prompt included); 0 = plain greedy. Small models fall into loops under greedy decoding.
    /// </summary>
    public int NoRepeatNgramSize { get; init; }
}

public enum Gpt2StopReason { MaxNewTokens, StopToken }

/// <param name="NewIds">Generated ids, without the stop token.</param>
/// <param name="StopTokenId">The stop token that ended the sequence, if one did.</param>
public sealed record Gpt2GeneratedSequence(int[] PromptIds, int[] NewIds, Gpt2StopReason Reason, int? StopTokenId);

/// <summary>Batched greedy decoding for <see cref="Gpt2Model"/>.</summary>
public static class Gpt2Generation
{
    /// <summary>
    /// Greedy continuation of each prompt. Prompts of different lengths are left-padded and masked,
    /// with positions counted per sequence, so each result equals generating that prompt alone.
    /// The model runs in eval mode without gradients; its training flag is restored afterwards.
    /// </summary>
    public static IReadOnlyList<Gpt2GeneratedSequence> GenerateGreedy(Gpt2Model model, IReadOnlyList<int[]> prompts, Gpt2GenerationOptions? options = null)
    {
        options ??= new Gpt2GenerationOptions();
        if (prompts.Count == 0) return Array.Empty<Gpt2GeneratedSequence>();
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxNewTokens must be non-negative.");
        if (options.NoRepeatNgramSize < 0) throw new ArgumentOutOfRangeException(nameof(options), "NoRepeatNgramSize must be non-negative.");
        var config = model.Config;
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"Prompt {i} is empty.", nameof(prompts));
            foreach (var id in prompts[i])
                if (id < 0 || id >= config.VocabSize) throw new ArgumentException($"Prompt {i} has token id {id}, outside the vocabulary (size {config.VocabSize}).", nameof(prompts));
        }
        int batch = prompts.Count;
        int promptLen = prompts.Max(p => p.Length);
        if (promptLen + options.MaxNewTokens > config.NPositions)
            throw new ArgumentException($"Longest prompt ({promptLen}) plus MaxNewTokens ({options.MaxNewTokens}) exceeds n_positions ({config.NPositions}).");

        var generated = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var stoppedBy = new int?[batch];
        if (options.MaxNewTokens == 0) return Finish(prompts, generated, stoppedBy);

        var stop = options.StopTokenIds.ToHashSet();
        // Padding is masked out, so any in-vocabulary id will do; small test vocabularies lack 50256.
        long padId = options.PadTokenId >= 0 && options.PadTokenId < config.VocabSize ? options.PadTokenId : 0;
        var device = model.TokenEmbedding.weight!.device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var ids = new long[batch * promptLen];
            var maskValues = new long[batch * promptLen];
            for (int b = 0; b < batch; b++)
            {
                int pad = promptLen - prompts[b].Length;
                for (int t = 0; t < promptLen; t++)
                {
                    ids[b * promptLen + t] = t < pad ? padId : prompts[b][t - pad];
                    maskValues[b * promptLen + t] = t < pad ? 0 : 1;
                }
            }
            var all = torch.tensor(ids, new long[] { batch, promptLen }, device: device);
            var mask = torch.tensor(maskValues, new long[] { batch, promptLen }, device: device);
            using var cache = options.UseCache ? new Gpt2KeyValueCache(config, batch, promptLen + options.MaxNewTokens) : null;

            var input = all;
            var finished = new bool[batch];
            for (int step = 0; step < options.MaxNewTokens; step++)
            {
                using var stepScope = NewDisposeScope();
                using var output = model.Forward(input, new Gpt2ForwardOptions
                {
                    AttentionMask = mask,
                    Cache = cache,
                    BlockHook = options.BlockHook,
                    LastPositionLogitsOnly = true,
                });
                var logits = output.Logits!.select(1, -1);
                if (options.NoRepeatNgramSize > 0) logits = BanRepeatedNgrams(logits, prompts, generated, finished, options.NoRepeatNgramSize);
                var next = logits.argmax(-1);
                var nextIds = next.cpu().data<long>().ToArray();
                for (int b = 0; b < batch; b++)
                {
                    if (finished[b]) continue;
                    int id = (int)nextIds[b];
                    if (stop.Contains(id)) { finished[b] = true; stoppedBy[b] = id; }
                    else generated[b].Add(id);
                }
                if (finished.All(f => f) || step == options.MaxNewTokens - 1) break;

                // Finished rows keep decoding (their output is ignored) so the batch stays rectangular.
                var column = next.unsqueeze(1);
                mask = torch.cat(new[] { mask, torch.ones(batch, 1, dtype: ScalarType.Int64, device: device) }, 1).MoveToOuterDisposeScope();
                if (cache is not null)
                    input = column.MoveToOuterDisposeScope();
                else
                    input = all = torch.cat(new[] { all, column }, 1).MoveToOuterDisposeScope();
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return Finish(prompts, generated, stoppedBy);
    }

    /// <summary>Logits with −∞ on every token that would complete an n-gram already present in its row.</summary>
    static Tensor BanRepeatedNgrams(Tensor logits, IReadOnlyList<int[]> prompts, List<int>[] generated, bool[] finished, int n)
    {
        var rows = new List<long>();
        var cols = new List<long>();
        for (int b = 0; b < prompts.Count; b++)
        {
            if (finished[b]) continue;
            var seq = prompts[b].Concat(generated[b]).ToArray();
            if (seq.Length < n) continue;
            int start = seq.Length - (n - 1); // the n−1 tokens a new n-gram would start with
            for (int i = 0; i + n - 1 < seq.Length; i++)
            {
                bool same = true;
                for (int k = 0; k < n - 1 && same; k++) same = seq[i + k] == seq[start + k];
                if (!same) continue;
                rows.Add(b);
                cols.Add(seq[i + n - 1]);
            }
        }
        if (rows.Count == 0) return logits;
        var banned = logits.clone();
        var r = torch.tensor(rows.ToArray(), device: logits.device);
        var c = torch.tensor(cols.ToArray(), device: logits.device);
        banned.index_put_(torch.tensor(float.NegativeInfinity, dtype: logits.dtype, device: logits.device), r, c);
        return banned;
    }

    static Gpt2GeneratedSequence[] Finish(IReadOnlyList<int[]> prompts, List<int>[] generated, int?[] stoppedBy) =>
        prompts.Select((p, b) => new Gpt2GeneratedSequence(p, generated[b].ToArray(),
            stoppedBy[b] is null ? Gpt2StopReason.MaxNewTokens : Gpt2StopReason.StopToken, stoppedBy[b])).ToArray();

    /// <summary>Greedy continuations of text prompts, decoded (stop token excluded).</summary>
    public static IReadOnlyList<string> GenerateGreedy(Gpt2Model model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> prompts, Gpt2GenerationOptions? options = null)
    {
        var results = GenerateGreedy(model, prompts.Select(tokenizer.Encode).ToList(), options);
        return results.Select(r => tokenizer.Decode(r.NewIds)).ToList();
    }
}
