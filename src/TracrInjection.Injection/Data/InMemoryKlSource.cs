
namespace TracrInjection.Injection.Data;

/// <summary>Fixed windows held in memory (tests, benchmarks).</summary>
public sealed class InMemoryKlSource(IReadOnlyList<int[]> windows, string description = "in-memory windows") : IKlTextSource
{
    public int Count => windows.Count;
    public int[] Window(int index) => windows[index];
    public string Description => description;
}
