using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Data;

/// <summary>
/// Tokenizes training items as the paper's <c>PreTokenizedDataset</c> does (<c>lightning_trainer/prepare_data_loader.py</c>):
/// text <c>f"{prompt} {label}"</c>, padded with EOS and truncated to a fixed length; loss mask from index
/// <c>len(tok(prompt)) − 1</c> over <c>len(label)</c> positions (characters). With
/// <see cref="InjectionFixes.TokenExactMask"/> the mask covers exactly the answer tokens, and with
/// <see cref="InjectionFixes.NoTruncation"/> (<paramref name="fixedLength"/> null) a batch is padded to its longest item.
/// </summary>
public sealed class SupervisedBatchBuilder(Gpt2Tokenizer tokenizer, int padId, int? fixedLength, bool tokenExactMask)
{
    public Gpt2Tokenizer Tokenizer { get; } = tokenizer;
    public int PadId { get; } = padId;
    public int? FixedLength { get; } = fixedLength;
    public bool TokenExactMask { get; } = tokenExactMask;

    /// <summary>Token ids of the text and the half-open range of mask positions (before truncation).</summary>
    public (int[] Ids, int MaskStart, int MaskEnd) Encode(TaskExample example)
    {
        var ids = Tokenizer.Encode(example.Text);
        int promptTokens = Tokenizer.Encode(example.Prompt).Length;
        int start = promptTokens - 1;
        int count = TokenExactMask ? ids.Length - promptTokens : example.Label.Length;
        return (ids, start, start + count);
    }

    public SupervisedBatch Build(IReadOnlyList<TaskExample> examples)
    {
        if (examples.Count == 0) throw new ArgumentException("the batch is empty");
        var encoded = examples.Select(Encode).ToList();
        int t = FixedLength ?? encoded.Max(e => e.Ids.Length);
        int b = examples.Count;
        var ids = new long[b * t];
        var real = new float[b * t];
        var positions = new List<long>();
        var targets = new List<long>();
        for (int i = 0; i < b; i++)
        {
            var (tokens, start, end) = encoded[i];
            for (int p = 0; p < t; p++)
            {
                bool isReal = p < tokens.Length;
                ids[i * t + p] = isReal ? tokens[p] : PadId;
                real[i * t + p] = isReal ? 1 : 0;
            }
            // loss_mask[:, :-1]: position p (< T − 1) predicts ids[p + 1].
            for (int p = Math.Max(0, start); p < Math.Min(end, t - 1); p++)
            {
                positions.Add(i * t + p);
                targets.Add(ids[i * t + p + 1]);
            }
        }
        return new SupervisedBatch(b, t, ids, real, positions.ToArray(), targets.ToArray());
    }
}
