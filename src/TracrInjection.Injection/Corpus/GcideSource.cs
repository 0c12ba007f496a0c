using System.Text;
using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The GNU Collaborative International Dictionary of English (<c>dict-gcide</c>, Webster's 1913
/// plus later additions): one document per entry, found through the dictd index. Markup is
/// stripped: source tags ("[1913 Webster]"), pronunciations (<c>\Af*fect"\</c>), bracketed
/// etymologies and labels, cross-reference braces, and the "--Author." citations after quotations.
/// Wrapped lines are joined into paragraphs.
/// </summary>
public sealed partial class GcideSource(string directory = GcideSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/dictd";

    public string Name => "gcide";
    public IReadOnlyList<string> DebianPackages => ["dict-gcide"];
    public IReadOnlyList<string> RequiredPaths => DictdDatabase.RequiredPaths(directory, "gcide");

    public IEnumerable<CorpusDocument> Read()
    {
        foreach (var entry in DictdDatabase.Entries(directory, "gcide"))
        {
            var text = CleanEntry(entry);
            if (text.Length > 0 && TextCleaning.WordCount(text) >= 4)
                yield return new CorpusDocument(Name, text);
        }
    }

    public static string CleanEntry(string entry)
    {
        var lines = entry.Replace("\r\n", "\n").Split('\n').Where(l => !SourceTagLine().IsMatch(l));
        var paragraphs = new List<string>();
        foreach (var raw in TextCleaning.UnwrappedParagraphs(lines))
        {
            string p = raw;
            p = Pronunciation().Replace(p, "");
            p = LostRespelling().Replace(p, "");
            // Innermost brackets first, so nested ones ("[See {Foo} [Obs.]]") go too.
            for (int i = 0; i < 4 && p.Contains('['); i++) p = Bracketed().Replace(p, "");
            p = p.Replace("{", "").Replace("}", "");
            p = EndCitation().Replace(p, "");
            p = Citation().Replace(p, "");
            p = TextCleaning.TidyPunctuation(p);
            p = LeadingPunctuation().Replace(p, "$1");
            if (p.Length > 0 && TextCleaning.LetterFraction(p) >= 0.6 && p.Any(char.IsLetter)) paragraphs.Add(p);
        }
        return string.Join("\n", paragraphs);
    }

    /// <summary>Lines holding only a source tag: "[1913 Webster]", "[PJC]", "[Webster 1913 Suppl.]".</summary>
    [GeneratedRegex(@"^\s*\[[^\]]*\]\s*$")]
    private static partial Regex SourceTagLine();

    /// <summary>The headword's <c>\Back"slide"\</c> and the respelling that may follow it, "(b[a^]k"sl[imac]d"; 277)".</summary>
    [GeneratedRegex(@"\\[^\\]{0,80}\\(\s*\([^()]{0,80}\))?")]
    private static partial Regex Pronunciation();

    /// <summary>Respellings whose characters were lost: "(?; n. & v.)", "(? or?)", "(-?r)".</summary>
    [GeneratedRegex(@"\s*\(\s*-?\?[^()]{0,30}\)")]
    private static partial Regex LostRespelling();

    [GeneratedRegex(@"\s*\[[^\[\]]*\]")]
    private static partial Regex Bracketed();

    /// <summary>A citation ending the paragraph: "--Sir W. Scott.", "--Bacon, Essays."</summary>
    [GeneratedRegex(@"\s*--\s?[A-Z][^\-]{0,60}$")]
    private static partial Regex EndCitation();

    /// <summary>"--Milton.", "--Shak." inside a paragraph of a quotation (also mid-paragraph, before the next sense).</summary>
    [GeneratedRegex(@"\s*--\s?[A-Z][A-Za-z.'&, ]{0,40}?\.(?=\s|$)")]
    private static partial Regex Citation();

    /// <summary>The headword line loses its pronunciation, leaving "Affect , v. t." → "Affect, v. t.".</summary>
    [GeneratedRegex(@"^(\S+) ,")]
    private static partial Regex LeadingPunctuation();
}
