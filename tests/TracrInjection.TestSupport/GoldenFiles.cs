namespace TracrInjection.TestSupport;

/// <summary>
/// Finds the golden conformance data (<c>shared/golden</c>) without hard-coded paths: walks up from the test
/// assembly's directory and, at each level, looks for <c>shared/golden</c> there. The repository root's
/// sibling <c>shared</c> folder (the repository root's parent holds <c>shared/golden</c>) is found one level
/// above the repository root; a <c>shared</c> folder inside the checkout is found first. The environment
/// variable <c>TRACR_GOLDEN_DIR</c> overrides the search.
/// </summary>
public static class GoldenFiles
{
    private static readonly Lazy<string> DirectoryLazy = new(Locate);

    /// <summary>The absolute path of the golden folder; throws with an explanation when it cannot be found.</summary>
    public static string Directory => DirectoryLazy.Value;

    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>The per-program golden files (<c>&lt;program_id&gt;.json</c>), without the suite-wide JSON files.</summary>
    public static IReadOnlyList<string> ProgramIds()
    {
        string[] notPrograms = ["tracr-test-cases", "unsupported_programs"];
        return System.IO.Directory.GetFiles(Directory, "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && !notPrograms.Contains(n))
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("TRACR_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            if (System.IO.Directory.Exists(env)) return Path.GetFullPath(env);
            throw new DirectoryNotFoundException($"TRACR_GOLDEN_DIR is set to '{env}', which does not exist.");
        }

        var start = new DirectoryInfo(AppContext.BaseDirectory);
        for (var dir = start; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "golden");
            if (System.IO.Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "INDEX.md")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"Could not find shared/golden above {start.FullName}. The golden data live in a 'shared' folder next to " +
            "the repository root (../shared/golden relative to it); set TRACR_GOLDEN_DIR to point elsewhere.");
    }
}
