using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The Free On-line Dictionary of Computing (<c>dict-foldoc</c>, GFDL): encyclopaedic articles, one
/// document per entry. The headword lines, the subject tags ("&lt;programming&gt;"), the cross-reference
/// braces, bracketed URLs and the closing date stamps are removed.
/// </summary>
public sealed partial class FoldocSource(string directory = GcideSource.DefaultDirectory) : ICorpusSource
{
    const int MinWords = 12;

    public string Name => "foldoc";
    public IReadOnlyList<string> DebianPackages => ["dict-foldoc"];
    public IReadOnlyList<string> RequiredPaths => DictdDatabase.RequiredPaths(directory, "foldoc");
    public string HeldOutFileName => CorpusFiles.ProseHeldOutFileName;

    public IEnumerable<CorpusDocument> Read()
    {
        foreach (var entry in DictdDatabase.Entries(directory, "foldoc"))
        {
            var text = CleanEntry(entry);
            if (TextCleaning.WordCount(text) >= MinWords) yield return new CorpusDocument(Name, text);
        }
    }

    public static string CleanEntry(string entry)
    {
        // The body is indented; the unindented lines before it are the headword and its abbreviations.
        var body = entry.Replace("\r\n", "\n").Split('\n').SkipWhile(l => l.Length > 0 && !char.IsWhiteSpace(l[0]));
        var paragraphs = new List<string>();
        foreach (var raw in TextCleaning.UnwrappedParagraphs(body))
        {
            var p = Url().Replace(raw, "");
            p = SubjectTag().Replace(p, "");
            p = p.Replace("{", "").Replace("}", "");
            p = TextCleaning.TidyPunctuation(p);
            if (DateStamp().IsMatch(p) || !ProseChunks.IsProse(p, 4, 0.7)) continue;
            paragraphs.Add(p);
        }
        return string.Join("\n", paragraphs);
    }

    [GeneratedRegex(@"\s*\((?:https?|ftp)://[^)\s]*\)|(?:https?|ftp)://\S+")]
    private static partial Regex Url();

    [GeneratedRegex(@"<[a-z][a-z, ]*>\s*")]
    private static partial Regex SubjectTag();

    [GeneratedRegex(@"^\(\d{4}-\d{2}-\d{2}\)$")]
    private static partial Regex DateStamp();
}
