namespace TracrInjection.Compiler.Tests.Text;

/// <summary>Finds the repository's <c>examples/</c> folder by walking up from the test assembly.</summary>
public static class ExamplesFolder
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(Path.Combine(candidate, "registry"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no examples/registry folder above {AppContext.BaseDirectory}");
    });

    public static string Path_(params string[] parts) => Path.Combine([Root.Value, .. parts]);
}
