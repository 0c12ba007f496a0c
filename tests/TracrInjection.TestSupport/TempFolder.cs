namespace TracrInjection.TestSupport;

/// <summary>A temporary folder for one test (<c>using var dir = new TempFolder();</c>), deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tracr-injection-tests-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    /// <summary>A path inside the folder (not created).</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // A test that leaves a file open (a failed assertion mid-write) must not turn into a second failure here.
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
