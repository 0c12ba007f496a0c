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

    public string Name => "jargon";
    public IReadOnlyList<string> DebianPackages => ["jargon-text"];
    public IReadOnlyList<string> RequiredPaths => [path];

    public IEnumerable<CorpusDocument> Read() =>
        ProseChunks.Documents(Name, WrappedText.Paragraphs(path).Select(p => ProseChunks.IsProse(p, MinWords) ? p : null));
}
