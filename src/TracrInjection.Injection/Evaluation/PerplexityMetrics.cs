
namespace TracrInjection.Injection.Evaluation;

public sealed record PerplexityMetrics(double Before, double After, long Tokens, int Windows, string Source);
