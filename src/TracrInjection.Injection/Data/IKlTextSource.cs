
namespace TracrInjection.Injection.Data;

/// <summary>Unsupervised token windows for the KL term (the paper streams FineWeb-Edu; here the held-out corpus slice).</summary>
public interface IKlTextSource
{
    /// <summary>Number of windows.</summary>
    int Count { get; }
    /// <summary>Window <paramref name="index"/>: at most the requested length of token ids (shorter ones are padded by the batcher).</summary>
    int[] Window(int index);
    string Description { get; }
}
