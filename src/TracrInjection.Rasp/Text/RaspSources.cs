using System.Reflection;

namespace TracrInjection.Rasp.Text;

/// <summary>A file found for a <c>load</c>: its source and a key that identifies it (full path or stdlib name).</summary>
public sealed record ResolvedFile(string Key, SourceFile Source);

/// <summary>
/// Finds and reads the files a program loads, and remembers their text, so that rebuilding a parsed program (for a
/// fresh set of objects and ids) reads exactly the same sources. <c>load "x"</c> tries, relative to the loading
/// file's folder: <c>x</c>, then <c>x.rasp</c>; then the bundled library (<c>tracr_lib</c>).
/// </summary>
public class RaspSources
{
    public const string StdlibPrefix = "<stdlib>/";

    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>The names of the bundled library files (without .rasp): <c>tracr_lib</c>.</summary>
    public static IReadOnlyList<string> StdlibNames { get; } =
        typeof(RaspSources).Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".rasp", StringComparison.Ordinal))
            .Select(n => n.Split('.')[^2])
            .ToList();

    /// <summary>The bundled library file's text, or null.</summary>
    public static string? StdlibText(string name)
    {
        var asm = typeof(RaspSources).Assembly;
        var res = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + name + ".rasp", StringComparison.Ordinal));
        if (res is null) return null;
        using var stream = asm.GetManifestResourceStream(res)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Key of a source (its full path), or null for text that did not come from a file.</summary>
    public static string? KeyOf(SourceFile file) =>
        file.Name.StartsWith(StdlibPrefix, StringComparison.Ordinal) ? file.Name :
        file.Directory is null || file.Name.StartsWith('<') ? null : Path.GetFullPath(Path.Combine(file.Directory, Path.GetFileName(file.Name)));

    /// <summary>Registers the text of a file so later reads give the same text.</summary>
    public void Remember(string key, string text)
    {
        lock (_gate) _texts[key] = text;
    }

    public virtual ResolvedFile? Resolve(string path, string? fromDirectory)
    {
        string baseDir = fromDirectory ?? Directory.GetCurrentDirectory();
        var candidates = new List<string> { path };
        if (!path.EndsWith(".rasp", StringComparison.Ordinal)) candidates.Add(path + ".rasp");
        foreach (var cand in candidates)
        {
            string full = Path.GetFullPath(Path.IsPathRooted(cand) ? cand : Path.Combine(baseDir, cand));
            string? text = Read(full);
            if (text is null) continue;
            string display = Path.IsPathRooted(cand) || fromDirectory is null ? cand : Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
            if (display.StartsWith("..", StringComparison.Ordinal)) display = full;
            return new ResolvedFile(full, new SourceFile(display, text, Path.GetDirectoryName(full)));
        }
        string stem = Path.GetFileNameWithoutExtension(path);
        if (Path.GetFileName(path) is var fn && (fn == stem || fn == stem + ".rasp") && !path.Contains('/') && !path.Contains('\\'))
        {
            string key = StdlibPrefix + stem + ".rasp";
            string? text;
            lock (_gate) _texts.TryGetValue(key, out text);
            text ??= StdlibText(stem);
            if (text is not null)
            {
                Remember(key, text);
                return new ResolvedFile(key, new SourceFile(key, text, null));
            }
        }
        return null;
    }

    private string? Read(string fullPath)
    {
        lock (_gate)
            if (_texts.TryGetValue(fullPath, out var cached)) return cached;
        if (!File.Exists(fullPath)) return null;
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        Remember(fullPath, text);
        return text;
    }
}
