using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The Python 3.11 documentation's reStructuredText sources (<c>python3.11-doc</c>, PSF licence):
/// the tutorial, HOWTOs, FAQs, language and library references. Only prose paragraphs are kept:
/// literal blocks (after "::"), code, index, table and comment directives, headings and their
/// underlines are dropped, and inline markup (<c>:func:`len`</c>, <c>``x``</c>, <c>*x*</c>, links)
/// becomes its text. One document per run of paragraphs within a file. The C-API and
/// packaging manuals are left out: they are mostly signatures.
/// </summary>
public sealed partial class PythonDocsSource(string directory = PythonDocsSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/doc/python3.11/html/_sources";
    static readonly string[] Parts = ["tutorial", "howto", "faq", "reference", "library", "using", "glossary.rst.txt"];
    const int MinWords = 12;

    public string Name => "python-docs";
    public IReadOnlyList<string> DebianPackages => ["python3.11-doc"];
    public IReadOnlyList<string> RequiredPaths => [Path.Combine(directory, "tutorial", "index.rst.txt")];
    public string HeldOutFileName => CorpusFiles.ProseHeldOutFileName;

    public IEnumerable<CorpusDocument> Read()
    {
        var files = new List<string>();
        foreach (var part in Parts)
        {
            var path = Path.Combine(directory, part);
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*.rst.txt", SearchOption.AllDirectories));
        }
        files.Sort(StringComparer.Ordinal);
        return files.SelectMany(f => ProseChunks.Documents(Name, Paragraphs(File.ReadAllText(f)).Append(null)));
    }

    /// <summary>The prose paragraphs of one reStructuredText file; <c>null</c> where something else interrupts them.</summary>
    public static IEnumerable<string?> Paragraphs(string rst)
    {
        var lines = rst.Replace("\r\n", "\n").Split('\n');
        int skipDeeperThan = -1; // inside a literal block or a skipped directive: lines indented more than this
        var block = new List<string>();
        int i = 0;
        while (i < lines.Length)
        {
            string line = lines[i];
            int indent = line.Length - line.TrimStart().Length;
            bool blank = line.Trim().Length == 0;
            if (skipDeeperThan >= 0)
            {
                if (blank || indent > skipDeeperThan) { i++; continue; }
                skipDeeperThan = -1;
            }
            if (blank) { i++; continue; }

            // Gather one paragraph: consecutive non-blank lines.
            block.Clear();
            while (i < lines.Length && lines[i].Trim().Length > 0) block.Add(lines[i++]);
            string head = block[0].TrimStart();
            if (head.StartsWith("..", StringComparison.Ordinal))
            {
                var directive = Directive().Match(head);
                bool prose = directive.Success && ProseDirectives.Contains(directive.Groups[1].Value);
                if (!prose) skipDeeperThan = indent;
                yield return null;
                continue;
            }
            if (IsHeading(block) || head.StartsWith('+') || head.StartsWith("===", StringComparison.Ordinal) || head.StartsWith(">>>", StringComparison.Ordinal))
            {
                yield return null;
                continue;
            }
            string text = string.Join(" ", block.Select(TextCleaning.NormalizeLine));
            if (text.EndsWith("::", StringComparison.Ordinal))
            {
                // "For example::" introduces a literal block indented below it.
                skipDeeperThan = indent;
                text = text.EndsWith(" ::", StringComparison.Ordinal) ? text[..^3] : text[..^1];
            }
            text = TextCleaning.TidyPunctuation(StripInline(ListMarker().Replace(text, "")));
            yield return ProseChunks.IsProse(text, MinWords) ? text : null;
        }
    }

    static readonly HashSet<string> ProseDirectives =
    [
        "note", "warning", "seealso", "versionadded", "versionchanged", "deprecated", "important", "tip", "attention",
        "function", "method", "class", "attribute", "data", "exception", "decorator", "module", "describe", "impl-detail",
    ];

    static bool IsHeading(List<string> block) =>
        block.Any(l => l.Trim().Length >= 3 && Underline().IsMatch(l.Trim()));

    public static string StripInline(string text)
    {
        text = RoleWithTarget().Replace(text, "$1");
        text = Role().Replace(text, "$1");
        text = Link().Replace(text, "$1");
        text = text.Replace("``", "");
        text = Emphasis().Replace(text, "$1");
        return text.Replace("`", "").Replace("|", "");
    }

    [GeneratedRegex(@"^\.\.\s+([a-z-]+)::")]
    private static partial Regex Directive();

    [GeneratedRegex(@"^([=\-~*^#""'`+])\1+$")]
    private static partial Regex Underline();

    [GeneratedRegex(@"^\s*(?:[*\-+]|\d+\.|#\.)\s+")]
    private static partial Regex ListMarker();

    /// <summary><c>:ref:`the tutorial &lt;tut-intro&gt;`</c> → "the tutorial"; the leading "!" or "~" of a role's target goes too.</summary>
    [GeneratedRegex(@":[a-z:]+:`[!~]?([^`<]*?)\s*<[^`>]*>`")]
    private static partial Regex RoleWithTarget();

    [GeneratedRegex(@":[a-z:]+:`[!~]?([^`]*)`")]
    private static partial Regex Role();

    /// <summary><c>`Python website &lt;https://…&gt;`_</c> and <c>`name`_</c> → their text.</summary>
    [GeneratedRegex(@"`([^`<]*?)\s*(?:<[^`>]*>)?`__?")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*{1,2}([^*\s][^*]*?)\*{1,2}")]
    private static partial Regex Emphasis();
}
