using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Teaching;

/// <summary>
/// How the compiled teacher reads the LM's token ids, in one tensor lookup per batch.
/// <list type="bullet">
/// <item><see cref="Whole"/> (the paper's tasks): the teacher runs over the whole LM sequence, every LM token
/// translated (unmapped ones to the fill-up token); LM position p ↔ compiled position p + 1; no mask.</item>
/// <item><see cref="Window"/> (program tasks): the teacher runs over the input tokens only, as the program's own
/// semantics want them (indices from 0 at the first input token): <c>[BOS, input..., PAD...]</c> from LM positions
/// <see cref="Offset"/> .. Offset + N − 1, the input ending at the first LM token that is not a vocabulary token
/// (a cumulative product); LM position Offset + k − 1 ↔ compiled position k for k = 1..n, every other LM position is
/// masked out. Padding after the input is the compiler's pad, which tracr's models ignore at the real positions.</item>
/// </list>
/// </summary>
public sealed class TeacherInput
{
    public TokenTranslator Translator { get; }
    /// <summary>LM position of the first token the teacher reads (0 for the whole sequence).</summary>
    public int Offset { get; }
    /// <summary>Teacher positions after BOS (its max_seq_len) for a window; null for the whole sequence.</summary>
    public int? Length { get; }
    /// <summary>The compiled pad id that fills the window after the input.</summary>
    public int PadId { get; }

    private TeacherInput(TokenTranslator translator, int offset, int? length, int padId)
    {
        Translator = translator ?? throw new ArgumentNullException(nameof(translator));
        Offset = offset;
        Length = length;
        PadId = padId;
    }

    public bool IsWindow => Length is not null;

    /// <summary>The paper's alignment: the whole sequence, offset 0, no mask.</summary>
    public static TeacherInput Whole(TokenTranslator translator) => new(translator, 0, null, translator.FillUpId);

    /// <summary>The input window of a program task: <paramref name="length"/> positions from LM position <paramref name="offset"/>.</summary>
    public static TeacherInput Window(TokenTranslator translator, int offset, int length, int padId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (translator.FillUpId != padId)
            throw new ArgumentException("a windowed teacher input needs a translator whose fill-up token is the compiler's pad");
        return new TeacherInput(translator, offset, length, padId);
    }

    /// <summary>The compiled position of LM position <paramref name="lmPosition"/> (valid where the mask is 1).</summary>
    public int CompiledPosition(int lmPosition) => lmPosition - Offset + 1;

    /// <summary>LM ids [B, T] → the teacher's ids and the LM positions it covers (tensors in the caller's dispose scope).</summary>
    public PreparedTeacherInput Prepare(Tensor lmIds)
    {
        if (lmIds.dim() != 2) throw new ArgumentException($"token ids must be [batch, time], got [{string.Join(", ", lmIds.shape)}]");
        if (Length is not { } n) return new PreparedTeacherInput(Translator.Translate(lmIds), null);
        long b = lmIds.shape[0], t = lmIds.shape[1];
        if (t <= Offset)
            throw new InvalidOperationException($"a supervised sequence of {t} tokens ends before the input, which starts at token {Offset}");
        long w = Math.Min(n, t - Offset);
        using var scope = NewDisposeScope();
        var ids = lmIds.to_type(ScalarType.Int64).narrow(1, Offset, w);
        var translated = Translator.Table(ids.device).index_select(0, ids.flatten()).view(b, w);
        var valid = translated.ne(PadId).to_type(ScalarType.Int64).cumprod(1); // the input ends at the first non-vocabulary token
        var compiled = torch.where(valid.to_type(ScalarType.Bool), translated, full_like(translated, PadId));
        var bos = full([b, 1], (long)Translator.BosId, ScalarType.Int64, ids.device);
        var mask = cat([zeros([b, Offset], ScalarType.Float32, ids.device), valid.to_type(ScalarType.Float32),
            zeros([b, t - Offset - w], ScalarType.Float32, ids.device)], 1);
        return new PreparedTeacherInput(cat([bos, compiled], 1).MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// A teacher residual [B, 1 + W, D] as targets for the LM's [B, T] positions: rows of the compiled positions after
    /// BOS at their LM positions, zeros elsewhere (those positions are masked out).
    /// </summary>
    public Tensor Targets(Tensor residual, long lmLength)
    {
        if (Length is null) return residual.narrow(1, 1, lmLength);
        using var scope = NewDisposeScope();
        long b = residual.shape[0], w = residual.shape[1] - 1, d = residual.shape[2];
        var parts = new List<Tensor>();
        if (Offset > 0) parts.Add(zeros([b, Offset, d], residual.dtype, residual.device));
        parts.Add(residual.narrow(1, 1, w));
        if (lmLength - Offset - w > 0) parts.Add(zeros([b, lmLength - Offset - w, d], residual.dtype, residual.device));
        return cat(parts, 1).MoveToOuterDisposeScope();
    }
}
