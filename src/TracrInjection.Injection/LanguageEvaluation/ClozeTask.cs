using TracrInjection.Injection.Corpus;

namespace TracrInjection.Injection.LanguageEvaluation;

/// <summary>One cloze item: the words before a sentence's last word, and that word.</summary>
public sealed record ClozePassage(string Context, string Target, string Source);

/// <summary>
/// A LAMBADA-style cloze built from held-out text: every sentence end in a held-out document whose
/// last word is alphabetic (at least <see cref="MinTargetLetters"/> letters) and has at least
/// <see cref="MinContextWords"/> words of the same document before it becomes a passage; the
/// context is up to <see cref="MaxContextWords"/> of those words. The model must produce the word
/// greedily: every token of <c>" word"</c> is the argmax given the context and the word's earlier
/// tokens (as LAMBADA's GPT-2 evaluation scores it). Passages are taken evenly spaced over all
/// candidates, so the set is deterministic and spans every held-out file.
/// </summary>
public static class ClozeTask
{
    public const int MinContextWords = 15;
    public const int MaxContextWords = 50;
    public const int MinTargetLetters = 3;

    public static IReadOnlyList<ClozePassage> Build(IEnumerable<(string Source, IReadOnlyList<string> Documents)> files, int count)
    {
        var all = new List<ClozePassage>();
        foreach (var (source, documents) in files)
            foreach (var document in documents)
                all.AddRange(Candidates(document, source));
        if (all.Count <= count) return all;
        // Evenly spaced, not the first N, so long files do not crowd the short ones out.
        return Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Count / count)]).ToList();
    }

    public static IEnumerable<ClozePassage> Candidates(string document, string source)
    {
        var words = document.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = MinContextWords; i < words.Length; i++)
        {
            var word = words[i];
            if (word.Length < 2 || word[^1] is not ('.' or '!' or '?')) continue;
            var target = word[..^1];
            if (target.Length < MinTargetLetters || !target.All(char.IsAsciiLetter)) continue;
            int start = Math.Max(0, i - MaxContextWords);
            yield return new ClozePassage(string.Join(' ', words[start..i]), target, source);
        }
    }

    public static IReadOnlyList<ClozePassage> FromCorpus(string corpusDirectory, int count)
    {
        var files = new List<(string, IReadOnlyList<string>)>();
        foreach (var name in new[] { CorpusFiles.HeldOutFileName, CorpusFiles.ProseHeldOutFileName })
        {
            var path = Path.Combine(corpusDirectory, name);
            if (File.Exists(path)) files.Add((name, CorpusFiles.ReadDocuments(path)));
        }
        if (files.Count == 0) throw new FileNotFoundException($"'{corpusDirectory}' has no {CorpusFiles.HeldOutFileName} to build the cloze from.");
        return Build(files, count);
    }
}
