using System.IO.Compression;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// A dictd database (<c>NAME.index</c> + <c>NAME.dict.dz</c>, as Debian's <c>dict-*</c> packages ship
/// them): the raw text of every entry in file order. Headwords that point into an entry already read
/// (synonyms indexed to the same text) are skipped, so each entry comes once.
/// </summary>
public static class DictdDatabase
{
    public static IEnumerable<string> Entries(string directory, string name)
    {
        byte[] dict;
        using (var stream = new GZipStream(File.OpenRead(Path.Combine(directory, name + ".dict.dz")), CompressionMode.Decompress))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            dict = memory.ToArray();
        }
        var ranges = new SortedSet<(long Offset, long Length)>();
        foreach (var line in File.ReadLines(Path.Combine(directory, name + ".index")))
        {
            var parts = line.Split('\t');
            // "00-database-…" / "00database…" entries are the database's own metadata, not text.
            if (parts.Length < 3 || parts[0].StartsWith("00-", StringComparison.Ordinal) || parts[0].StartsWith("00database", StringComparison.Ordinal)) continue;
            long offset = Base64(parts[1]), length = Base64(parts[2]);
            if (offset < 0 || length <= 0 || offset + length > dict.Length) continue;
            ranges.Add((offset, length));
        }
        long covered = 0;
        foreach (var (offset, length) in ranges)
        {
            if (offset < covered) continue;
            covered = offset + length;
            yield return TextCleaning.Decode(dict.AsSpan((int)offset, (int)length).ToArray());
        }
    }

    public static IReadOnlyList<string> RequiredPaths(string directory, string name) =>
        [Path.Combine(directory, name + ".index"), Path.Combine(directory, name + ".dict.dz")];

    /// <summary>dictd's base-64 numbers (big-endian digits A-Z a-z 0-9 + /); -1 when malformed.</summary>
    public static long Base64(string text)
    {
        const string Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        long value = 0;
        foreach (char c in text)
        {
            int d = Digits.IndexOf(c);
            if (d < 0) return -1;
            value = value * 64 + d;
        }
        return value;
    }
}
