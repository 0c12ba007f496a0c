namespace TracrInjection.Injection.Corpus;

/// <summary>
/// Quotations and short prose from the <c>fortunes</c> and <c>fortunes-min</c> packages: one document
/// per fortune. Lines that were wrapped at the margin are joined; short lines (verse, dialogue,
/// the "-- Author" attribution) keep their line breaks.
/// </summary>
public sealed class FortunesSource(string directory = FortunesSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/games/fortunes";

    /// <summary>Files that are pictures rather than text.</summary>
    static readonly HashSet<string> Excluded = new(StringComparer.Ordinal) { "ascii-art" };

    /// <summary>A line at least this long (tabs counted as 8) was wrapped at the margin.</summary>
    const int WrappedLineLength = 50;

    public string Name => "fortunes";
    public IReadOnlyList<string> DebianPackages => ["fortunes", "fortunes-min"];
    public IReadOnlyList<string> RequiredPaths => [Path.Combine(directory, "fortunes"), Path.Combine(directory, "literature")];

    public IEnumerable<CorpusDocument> Read()
    {
        var files = Directory.GetFiles(directory)
            .Where(f => Path.GetExtension(f).Length == 0 && !Excluded.Contains(Path.GetFileName(f)))
            .Where(f => new FileInfo(f).LinkTarget is null)
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = TextCleaning.RemoveOverstrike(TextCleaning.Decode(File.ReadAllBytes(file))).Replace("\r\n", "\n");
            foreach (var fortune in SplitFortunes(text))
            {
                var cleaned = CleanFortune(fortune);
                if (cleaned.Length > 0 && TextCleaning.WordCount(cleaned) >= 3 && TextCleaning.LetterFraction(cleaned) >= 0.6)
                    yield return new CorpusDocument(Name, cleaned);
            }
        }
    }

    /// <summary>Fortune files separate entries with a line holding only "%".</summary>
    public static IEnumerable<string> SplitFortunes(string text)
    {
        var current = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimEnd() == "%")
            {
                if (current.Count > 0) yield return string.Join("\n", current);
                current.Clear();
            }
            else current.Add(line);
        }
        if (current.Any(l => l.Trim().Length > 0)) yield return string.Join("\n", current);
    }

    public static string CleanFortune(string fortune)
    {
        var lines = new List<string>();
        int previousWidth = 0;
        foreach (var raw in fortune.Split('\n'))
        {
            string line = TextCleaning.NormalizeLine(raw);
            bool indented = raw.Length > 0 && (raw[0] == ' ' || raw[0] == '\t');
            if (line.Length == 0)
            {
                if (lines.Count > 0 && lines[^1].Length > 0) lines.Add("");
            }
            else if (lines.Count > 0 && lines[^1].Length > 0 && previousWidth >= WrappedLineLength && !indented && !line.StartsWith("--", StringComparison.Ordinal))
            {
                lines[^1] += " " + line;
            }
            else lines.Add(line);
            previousWidth = Width(raw.TrimEnd());
        }
        return string.Join("\n", lines).Trim();
    }

    static int Width(string raw)
    {
        int w = 0;
        foreach (char c in raw) w = c == '\t' ? (w / 8 + 1) * 8 : w + 1;
        return w;
    }
}
