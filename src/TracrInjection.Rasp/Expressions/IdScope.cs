namespace TracrInjection.Rasp.Expressions;

/// <summary>
/// The counter tracr draws expression ids from. tracr uses one process-wide counter, read lazily on the first
/// <c>.label</c> access, so labels such as <c>map_3</c> depend on what else the process built before. Each
/// expression captures the counter that is current when it is constructed; building a program inside
/// <c>using (IdScope.Begin())</c> reproduces a fresh Python process (ids from 1), and separate scopes make
/// concurrent compilations independent.
/// </summary>
public sealed class IdScope
{
    private static readonly AsyncLocal<IdScope?> CurrentScope = new();
    private static readonly IdScope ProcessWide = new();
    private int _next = 1;

    public static IdScope Current => CurrentScope.Value ?? ProcessWide;

    /// <summary>Starts a fresh counter (next id 1) for expressions constructed until the returned handle is disposed.</summary>
    public static IDisposable Begin()
    {
        var previous = CurrentScope.Value;
        CurrentScope.Value = new IdScope();
        return new Restore(previous);
    }

    internal int Next() => Interlocked.Increment(ref _next) - 1;

    private sealed class Restore(IdScope? previous) : IDisposable
    {
        public void Dispose() => CurrentScope.Value = previous;
    }
}
