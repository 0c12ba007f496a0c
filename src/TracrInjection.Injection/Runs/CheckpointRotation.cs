using System.Globalization;
using TracrInjection.Models;

namespace TracrInjection.Injection.Runs;

/// <summary>
/// Numbered checkpoint folders under one root (<c>step-00000100</c>, …) with a <c>latest</c> pointer, as pretraining
/// and injection runs keep them. A folder is written as <c>.step-….tmp</c> and renamed, so a killed save leaves at
/// most a stale temporary folder, which the next save removes.
/// </summary>
public static class CheckpointRotation
{
    public const string LatestFile = "latest";

    public static string FolderName(long step) => "step-" + step.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes checkpoint <paramref name="step"/> under <paramref name="root"/>: <paramref name="write"/> fills a
    /// temporary folder, which is renamed into place (replacing an older one of the same step), then
    /// <c>latest</c> points at it and older folders are pruned. Returns the checkpoint folder.
    /// </summary>
    public static string Save(string root, long step, int keep, Action<string> write)
    {
        Directory.CreateDirectory(root);
        string name = FolderName(step);
        string final = Path.Combine(root, name);
        string temp = Path.Combine(root, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(temp);
            write(temp);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
        MarkLatestAndPrune(root, name, keep);
        return final;
    }

    /// <summary>Points <c>latest</c> at <paramref name="name"/>, then keeps it and the newest <paramref name="keep"/> − 1 others.</summary>
    private static void MarkLatestAndPrune(string root, string name, int keep)
    {
        AtomicFile.WriteAllText(Path.Combine(root, LatestFile), name + "\n");
        var old = Directory.GetDirectories(root, "step-*")
            .Select(Path.GetFileName)
            .Where(n => n is not null && n != name)
            .OrderByDescending(n => n, StringComparer.Ordinal)
            .Skip(Math.Max(0, keep - 1));
        foreach (var n in old)
        {
            try { Directory.Delete(Path.Combine(root, n!), recursive: true); } catch (IOException) { }
        }
        foreach (var stale in Directory.GetDirectories(root, ".step-*.tmp"))
        {
            try { Directory.Delete(stale, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The folder <c>latest</c> names when it is complete, else the newest complete one; null when none is.</summary>
    public static string? Latest(string root, Func<string, bool> isComplete)
    {
        string pointer = Path.Combine(root, LatestFile);
        if (File.Exists(pointer))
        {
            string dir = Path.Combine(root, File.ReadAllText(pointer).Trim());
            if (isComplete(dir)) return dir;
        }
        // The pointer is written after the rename; fall back to the newest complete folder.
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root, "step-*")
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .FirstOrDefault(isComplete);
    }
}
