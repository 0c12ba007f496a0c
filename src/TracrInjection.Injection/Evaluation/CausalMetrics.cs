
namespace TracrInjection.Injection.Evaluation;

public sealed record CausalMetrics(int Block, int SubspaceDimension, double NormScale, IReadOnlyList<double> Norms,
    IReadOnlyList<double> ResultSubspace, IReadOnlyList<double> RandomSubspace, int Items)
{
    /// <summary>The control with an isotropic random subspace (Gaussian rows), beside the paper's torch.rand rows.</summary>
    public IReadOnlyList<double>? IsotropicSubspace { get; init; }
}
