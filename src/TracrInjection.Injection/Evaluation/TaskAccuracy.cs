using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>
/// The paper's task metric (<c>evaluation/task.py</c>): greedy generation of exactly <c>len(tok(" " + label))</c>
/// tokens after the prompt; an item is right when the generated ids equal the label's ids (EOS is not checked).
/// Items are batched (left padding with an attention mask, so each result equals generating the item alone).
/// </summary>
public static class TaskAccuracy
{
    public static AccuracyResult Evaluate(Gpt2Model model, Gpt2Tokenizer tokenizer, TaskSplit split, int batchSize = 32,
        Func<int, Tensor, Tensor>? blockHook = null, Action<int, int>? progress = null, IList<bool>? perItem = null)
    {
        int correct = 0, tooLong = 0, done = 0;
        var items = split.Select((e, i) => (Index: i, Prompt: tokenizer.Encode(e.Prompt), Target: tokenizer.Encode(e.Target))).ToList();
        if (perItem is not null) { perItem.Clear(); for (int i = 0; i < items.Count; i++) perItem.Add(false); }
        int context = model.Config.NPositions;
        foreach (var group in items.GroupBy(x => x.Target.Length).OrderBy(g => g.Key))
        {
            var fits = group.Where(x => x.Prompt.Length + x.Target.Length <= context && x.Prompt.Length > 0).ToList();
            tooLong += group.Count() - fits.Count;
            done += group.Count() - fits.Count;
            // Similar prompt lengths in a batch waste less compute on padding.
            foreach (var chunk in fits.OrderBy(x => x.Prompt.Length).Chunk(batchSize))
            {
                var generated = Gpt2Generation.GenerateGreedy(model, chunk.Select(x => x.Prompt).ToList(), new Gpt2GenerationOptions
                {
                    MaxNewTokens = group.Key,
                    PadTokenId = tokenizer.EndOfTextId,
                    BlockHook = blockHook,
                });
                for (int k = 0; k < chunk.Length; k++)
                {
                    bool ok = generated[k].NewIds.AsSpan().SequenceEqual(chunk[k].Target);
                    if (ok) correct++;
                    if (perItem is not null) perItem[chunk[k].Index] = ok;
                }
                done += chunk.Length;
                progress?.Invoke(done, items.Count);
            }
        }
        return new AccuracyResult(split.Name, correct, items.Count, tooLong);
    }
}
