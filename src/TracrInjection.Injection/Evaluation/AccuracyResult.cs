using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>Exact-match accuracy on one split. <see cref="TooLong"/> items did not fit the model's context and count as wrong.</summary>
public sealed record AccuracyResult(string Split, int Correct, int Total, int TooLong)
{
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;
}
