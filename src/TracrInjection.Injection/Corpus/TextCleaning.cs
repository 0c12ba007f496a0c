using System.Text;
using System.Text.RegularExpressions;

namespace TracrInjection.Injection.Corpus;

/// <summary>Small text normalisations shared by the corpus sources.</summary>
public static partial class TextCleaning
{
    /// <summary>
    /// Decodes bytes as strict UTF-8, falling back to Latin-1 for files that are not UTF-8
    /// (some Debian text data predates UTF-8).
    /// </summary>
    public static string Decode(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    /// <summary>Removes typewriter overstriking ("_\bx", "x\bx"), as in old fortune files.</summary>
    public static string RemoveOverstrike(string text) => text.Contains('\b') ? Overstrike().Replace(text, "") : text;

    /// <summary>
    /// One line: tabs, non-breaking and other odd spaces become one space, control characters
    /// and the GPT-2 document separator are dropped, runs of spaces collapse, ends are trimmed.
    /// </summary>
    public static string NormalizeLine(string line)
    {
        var sb = new StringBuilder(line.Length);
        bool space = false;
        foreach (char c in line.Replace("<|endoftext|>", " "))
        {
            if (c is '\t' or '\u00A0' or '\u2000' or '\u2002' or '\u2003' or '\u2009' or '\u3000' || char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (char.IsControl(c) || c is '\uFEFF' or '\uFFFD' or '\u200B') continue;
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Splits text into paragraphs at blank lines; each paragraph's lines are joined with one space.</summary>
    public static IEnumerable<string> UnwrappedParagraphs(IEnumerable<string> lines)
    {
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = NormalizeLine(raw);
            if (line.Length == 0)
            {
                if (current.Length > 0) yield return current.ToString();
                current.Clear();
                continue;
            }
            if (current.Length > 0) current.Append(' ');
            current.Append(line);
        }
        if (current.Length > 0) yield return current.ToString();
    }

    /// <summary>Removes the space a deletion left before punctuation, and doubled spaces.</summary>
    public static string TidyPunctuation(string text)
    {
        text = SpaceBeforePunctuation().Replace(text, "$1");
        text = MultiSpace().Replace(text, " ");
        return text.Trim();
    }

    /// <summary>Letters over all non-space characters; 0 for empty text.</summary>
    public static double LetterFraction(string text)
    {
        int letters = 0, other = 0;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) continue;
            if (char.IsLetter(c)) letters++; else other++;
        }
        return letters + other == 0 ? 0 : (double)letters / (letters + other);
    }

    public static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [GeneratedRegex(@".\u0008")]
    private static partial Regex Overstrike();

    [GeneratedRegex(@"\s+([,.;:!?)])")]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@" {2,}")]
    private static partial Regex MultiSpace();
}
