using System.IO.Compression;

namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The Jargon File (<c>jargon-text</c>): prose paragraphs, unwrapped. Headwords, the table of
/// contents, tables and code samples are dropped by keeping only paragraphs of at least
/// <see cref="MinWords"/> words that are mostly letters; consecutive kept paragraphs (an entry's
/// body) form a document.
/// </summary>
public sealed class JargonSource(string path = JargonSource.DefaultPath) : ICorpusSource
{
    public const string DefaultPath = "/usr/share/doc/jargon-text/jargon.txt.gz";
    public const int MinWords = 12;
    const int MaxDocumentChars = 4000;

    public string Name => "jargon";
    public IReadOnlyList<string> DebianPackages => ["jargon-text"];
    public IReadOnlyList<string> RequiredPaths => [path];

    public IEnumerable<CorpusDocument> Read()
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var lines = TextCleaning.Decode(memory.ToArray()).Replace("\r\n", "\n").Split('\n');
        var document = new List<string>();
        int chars = 0;
        foreach (var paragraph in TextCleaning.UnwrappedParagraphs(lines))
        {
            bool keep = TextCleaning.WordCount(paragraph) >= MinWords
                        && TextCleaning.LetterFraction(paragraph) >= 0.75
                        && !paragraph.Any(c => c is >= '\u2500' and <= '\u257F');
            if (!keep || chars + paragraph.Length > MaxDocumentChars)
            {
                if (document.Count > 0) yield return new CorpusDocument(Name, string.Join("\n", document));
                document.Clear();
                chars = 0;
            }
            if (keep)
            {
                document.Add(paragraph);
                chars += paragraph.Length;
            }
        }
        if (document.Count > 0) yield return new CorpusDocument(Name, string.Join("\n", document));
    }
}
