using F = TorchSharp.torch.nn.functional;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Losses;

/// <summary>The three training terms of the paper (<c>lightning_trainer/distiler.py</c>), as plain functions of tensors.</summary>
public static class InjectionLosses
{
    /// <summary>
    /// One alignment term: mean over batch and positions of 1 − cos(adapted, target) (F.normalize with eps 1e-12 as in
    /// torch). <paramref name="positionMask"/> [B, T] (1 = counted) restricts the mean to real tokens; null counts
    /// every position, padding included, as the paper does.
    /// </summary>
    public static Tensor CosineDistance(Tensor adapted, Tensor target, Tensor? positionMask = null)
    {
        using var scope = NewDisposeScope();
        var a = F.normalize(adapted, p: 2, dim: -1, eps: 1e-12);
        var b = F.normalize(target, p: 2, dim: -1, eps: 1e-12);
        var distance = 1 - (a * b).sum(-1); // [B, T]
        Tensor result;
        if (positionMask is null) result = distance.mean();
        else
        {
            var m = positionMask.to_type(distance.dtype);
            result = (distance * m).sum() / m.sum().clamp_min(1);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The algorithm loss: Σ_k CosineDistance(adapter(h_k), r_k) × multiplier over the aligned pairs.
    /// </summary>
    public static Tensor AlgorithmLoss(IReadOnlyList<Tensor> adaptedStates, IReadOnlyList<Tensor> teacherResiduals, double multiplier = 1,
        Tensor? positionMask = null)
    {
        if (adaptedStates.Count != teacherResiduals.Count || adaptedStates.Count == 0)
            throw new ArgumentException($"{adaptedStates.Count} adapted states for {teacherResiduals.Count} teacher residuals");
        using var scope = NewDisposeScope();
        Tensor total = CosineDistance(adaptedStates[0], teacherResiduals[0], positionMask);
        for (int k = 1; k < adaptedStates.Count; k++) total = total + CosineDistance(adaptedStates[k], teacherResiduals[k], positionMask);
        return (total * multiplier).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The answer cross-entropy: Σ CE over the selected predictions / their number (the paper's masked mean). Given
    /// the logits of only the selected positions [N, V] and their targets [N]. With no selected position the term is
    /// 0 (the paper's 0/0 would be NaN).
    /// </summary>
    public static Tensor AnswerCrossEntropy(Tensor selectedLogits, Tensor targets)
    {
        if (targets.numel() == 0) return zeros([], selectedLogits.dtype, selectedLogits.device);
        return F.cross_entropy(selectedLogits, targets, reduction: nn.Reduction.Mean);
    }

    /// <summary>
    /// KL(original ‖ model) as the paper computes it: <c>F.kl_div(log_softmax(model), softmax(original),
    /// reduction='batchmean')</c> = Σ_{b,t,v} p_orig (log p_orig − log p_model) / B.
    /// </summary>
    public static Tensor KlDivergence(Tensor modelLogits, Tensor originalLogits)
    {
        using var scope = NewDisposeScope();
        long batch = modelLogits.shape[0];
        var logQ = modelLogits.log_softmax(-1);
        var logP = originalLogits.log_softmax(-1);
        var p = logP.exp();
        return ((p * (logP - logQ)).sum() / batch).MoveToOuterDisposeScope();
    }
}
