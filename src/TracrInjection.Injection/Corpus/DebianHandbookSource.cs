using System.Net;
using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// "The Debian Administrator's Handbook" (<c>debian-handbook</c>, GPL-2+ or CC-BY-SA-3.0), the
/// English HTML edition: the text of every paragraph, in file order, markup removed
/// and entities decoded; code listings, tables and navigation are not paragraphs and stay out.
/// </summary>
public sealed partial class DebianHandbookSource(string directory = DebianHandbookSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/doc/debian-handbook/html/en-US";
    const int MinWords = 10;

    public string Name => "debian-handbook";
    public IReadOnlyList<string> DebianPackages => ["debian-handbook"];
    public IReadOnlyList<string> RequiredPaths => [Path.Combine(directory, "index.html")];
    public string HeldOutFileName => CorpusFiles.ProseHeldOutFileName;

    public IEnumerable<CorpusDocument> Read() =>
        Directory.EnumerateFiles(directory, "*.html").Order(StringComparer.Ordinal)
            .SelectMany(file => ProseChunks.Documents(Name, Paragraphs(File.ReadAllText(file)).Append(null)));

    public static IEnumerable<string?> Paragraphs(string html)
    {
        foreach (Match m in Paragraph().Matches(html))
        {
            var text = TextCleaning.TidyPunctuation(TextCleaning.NormalizeLine(WebUtility.HtmlDecode(Tag().Replace(m.Groups[1].Value, ""))));
            yield return ProseChunks.IsProse(text, MinWords) ? text : null;
        }
    }

    /// <summary>Publican's HTML writes paragraphs as <c>&lt;div class="para"&gt;</c>; plain <c>&lt;p&gt;</c> too.</summary>
    [GeneratedRegex(@"(?:<p(?:\s[^>]*)?>|<div class=""para"">)(.*?)</(?:p|div)>", RegexOptions.Singleline)]
    private static partial Regex Paragraph();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();
}
