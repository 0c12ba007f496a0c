
namespace TracrInjection.Injection.Evaluation;

public sealed record CausalMetrics(int Block, int SubspaceDimension, double NormScale, IReadOnlyList<double> Norms,
    IReadOnlyList<double> ResultSubspace, IReadOnlyList<double> RandomSubspace, int Items);
