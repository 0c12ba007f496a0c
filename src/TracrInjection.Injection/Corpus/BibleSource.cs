using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The King James Bible (public-domain text; <c>bible-kjv-text</c>, read through the <c>bible</c>
/// program of <c>bible-kjv</c>, which decompresses its concordance-indexed data file): one document
/// per chapter, verse numbers dropped, verses joined into running prose.
/// </summary>
public sealed partial class BibleSource(string program = BibleSource.DefaultProgram) : ICorpusSource
{
    public const string DefaultProgram = "/usr/bin/bible";
    const string WholeText = "Genesis 1:1-Revelation 22:21";

    public string Name => "kjv";
    public IReadOnlyList<string> DebianPackages => ["bible-kjv", "bible-kjv-text"];
    public IReadOnlyList<string> RequiredPaths => [program, "/usr/lib/bible.data"];
    public string HeldOutFileName => CorpusFiles.ProseHeldOutFileName;

    public IEnumerable<CorpusDocument> Read() => Chapters(Run(program, WholeText)).Select(c => new CorpusDocument(Name, c));

    /// <summary>Splits the program's output ("Genesis 1" headings, "  1 In the beginning…" verses, wrapped lines) into chapters.</summary>
    public static IEnumerable<string> Chapters(string output)
    {
        var chapter = new StringBuilder();
        foreach (var raw in output.Replace("\r\n", "\n").Split('\n'))
        {
            if (ChapterHeading().IsMatch(raw))
            {
                if (chapter.Length > 0) yield return chapter.ToString();
                chapter.Clear();
                continue;
            }
            var line = TextCleaning.NormalizeLine(VerseNumber().Replace(raw, ""));
            if (line.Length == 0) continue;
            if (chapter.Length > 0) chapter.Append(' ');
            chapter.Append(line);
        }
        if (chapter.Length > 0) yield return chapter.ToString();
    }

    static string Run(string program, string verses)
    {
        var psi = new ProcessStartInfo(program, ["-l", "100000", verses])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.Latin1,
        };
        using var process = Process.Start(psi) ?? throw new IOException($"cannot start '{program}'.");
        var stderr = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"'{program} \"{verses}\"' failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        return text;
    }

    [GeneratedRegex(@"^[1-3]?\s?[A-Z][A-Za-z ]+ \d+$")]
    private static partial Regex ChapterHeading();

    [GeneratedRegex(@"^\s+\d+\s")]
    private static partial Regex VerseNumber();
}
