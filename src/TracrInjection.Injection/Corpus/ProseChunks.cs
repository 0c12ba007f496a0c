namespace TracrInjection.Injection.Corpus;

/// <summary>
/// Groups a source's kept paragraphs into documents: consecutive paragraphs form one document up to
/// a size, and a <c>null</c> paragraph (a dropped one, a chapter or file boundary) ends it. Keeping
/// documents a few thousand characters long lets the pretraining windows see connected prose
/// without letting one long book dominate the hash split.
/// </summary>
public static class ProseChunks
{
    public const int DefaultMaxChars = 4000;

    public static IEnumerable<CorpusDocument> Documents(string source, IEnumerable<string?> paragraphs, int maxChars = DefaultMaxChars)
    {
        var document = new List<string>();
        int chars = 0;
        foreach (var paragraph in paragraphs)
        {
            if (paragraph is null || (document.Count > 0 && chars + paragraph.Length > maxChars))
            {
                if (document.Count > 0) yield return new CorpusDocument(source, string.Join("\n", document));
                document.Clear();
                chars = 0;
            }
            if (paragraph is null) continue;
            document.Add(paragraph);
            chars += paragraph.Length;
        }
        if (document.Count > 0) yield return new CorpusDocument(source, string.Join("\n", document));
    }

    /// <summary>Whether a paragraph reads as prose: enough words, mostly letters, no box-drawing art.</summary>
    public static bool IsProse(string paragraph, int minWords, double minLetterFraction = 0.75) =>
        TextCleaning.WordCount(paragraph) >= minWords
        && TextCleaning.LetterFraction(paragraph) >= minLetterFraction
        && !paragraph.Any(c => c is >= '\u2500' and <= '\u257F');
}
