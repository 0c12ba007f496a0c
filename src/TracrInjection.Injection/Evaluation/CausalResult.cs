using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>Accuracy under noise of each norm, in the learned final-result subspace and in a random one.</summary>
public sealed record CausalResult(int Block, int SubspaceDimension, double NormScale, IReadOnlyList<double> Norms,
    IReadOnlyList<double> ResultSubspace, IReadOnlyList<double> RandomSubspace, int Items)
{
    /// <summary>Accuracy with noise in an isotropic random subspace (rows from randn) of the same dimension.</summary>
    public IReadOnlyList<double> IsotropicSubspace { get; init; } = [];
}
