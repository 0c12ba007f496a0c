using F = TorchSharp.torch.nn.functional;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Alignment;

/// <summary>
/// The paper's detach-and-roll (<c>utils/detach_and_roll.py</c>): the hidden state is split into its projection onto
/// the span of the adapter rows that read final_result (P = M·pinv(M), M = W_adapterᵀ[:, dims]; bias ignored), which
/// keeps its gradient, and the rest, which is detached and rolled by one along the batch, so later blocks only see
/// this example through the final-result subspace.
/// </summary>
public static class DetachAndRoll
{
    /// <summary>The projector [d_LM, d_LM] onto the span of the columns of <c>weight[dims, :]ᵀ</c> (no gradient).</summary>
    public static Tensor Projector(Tensor adapterWeight, long[] dims)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var index = tensor(dims, ScalarType.Int64, adapterWeight.device);
        var m = adapterWeight.detach().index_select(0, index).t(); // [d_LM, k]
        var p = m.matmul(linalg.pinv(m));
        return p.detach().MoveToOuterDisposeScope();
    }

    /// <summary>h → h·P + roll((h − h·P).detach(), 1, batch).</summary>
    public static Tensor Apply(Tensor hidden, Tensor projector)
    {
        using var scope = NewDisposeScope();
        var projected = hidden.matmul(projector);
        var rest = (hidden - projected).detach();
        var rolled = rest.roll(1, 0);
        return (projected + rolled).MoveToOuterDisposeScope();
    }
}
