using System.Security.Cryptography;
using System.Text;
using TracrInjection.Models;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// Corpus text files: UTF-8 documents separated by a line holding GPT-2's document separator
/// <c>&lt;|endoftext|&gt;</c>. A file without separators is a single document, so any plain text file
/// can be scored the same way.
/// </summary>
public static class CorpusFiles
{
    public const string Separator = "<|endoftext|>";
    public const string TrainFileName = "train.txt";
    public const string HeldOutFileName = "heldout.txt";
    /// <summary>The held-out slice of the books and documentation added in the corpus's second version.</summary>
    public const string ProseHeldOutFileName = "heldout-prose.txt";
    public const string ManifestFileName = "manifest.json";

    /// <summary>The corpus folder relative to the repository root.</summary>
    public const string RepositoryRelativeDirectory = "data/corpus";

    public static IReadOnlyList<string> ParseDocuments(string text) =>
        text.Replace("\r\n", "\n")
            .Split(Separator)
            .Select(d => d.Trim('\n'))
            .Where(d => d.Trim().Length > 0)
            .ToList();

    public static IReadOnlyList<string> ReadDocuments(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Text file not found: '{path}'.", path);
        return ParseDocuments(File.ReadAllText(path, Encoding.UTF8));
    }

    public static string Format(IEnumerable<string> documents) =>
        string.Join("\n" + Separator + "\n", documents) + "\n";

    public static void WriteDocuments(string path, IEnumerable<string> documents) =>
        AtomicFile.WriteAllText(path, Format(documents));

    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary><c>data/corpus</c> of the repository found above <paramref name="start"/> (default: the executable's folder, then the working directory).</summary>
    public static string DefaultDirectory(string? start = null) =>
        Path.Combine(RepositoryPaths.FindRoot(start), RepositoryRelativeDirectory);
}

/// <summary>Finds the repository root by walking up from a folder.</summary>
public static class RepositoryPaths
{
    /// <summary>A file that only the repository root has.</summary>
    public const string MarkerFile = "TracrInjection.slnx";

    /// <summary>
    /// The nearest folder at or above <paramref name="start"/> holding <see cref="MarkerFile"/>. Without
    /// a start, tries the executable's folder first and then the working directory.
    /// </summary>
    public static string FindRoot(string? start = null)
    {
        var starts = start is not null ? new[] { start } : new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() };
        foreach (var s in starts)
        {
            var found = TryFindRoot(s);
            if (found is not null) return found;
        }
        throw new DirectoryNotFoundException(
            $"Cannot find the repository root (a folder with {MarkerFile}) above '{string.Join("' or '", starts)}'.");
    }

    public static string? TryFindRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile))) return dir.FullName;
        return null;
    }
}
