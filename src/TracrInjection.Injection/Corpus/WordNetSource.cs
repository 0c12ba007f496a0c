namespace TracrInjection.Injection.Corpus;

/// <summary>
/// WordNet 3.0 glosses (definitions and example sentences) from <c>wordnet-base</c>: each synset
/// becomes a line "word, synonym: gloss"; consecutive synsets of one part of speech are grouped,
/// <see cref="SynsetsPerDocument"/> to a document.
/// </summary>
public sealed class WordNetSource(string directory = WordNetSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/wordnet";
    public const int SynsetsPerDocument = 16;
    static readonly string[] Files = ["data.noun", "data.verb", "data.adj", "data.adv"];

    public string Name => "wordnet";
    public IReadOnlyList<string> DebianPackages => ["wordnet-base"];
    public IReadOnlyList<string> RequiredPaths => Files.Select(f => Path.Combine(directory, f)).ToList();

    public IEnumerable<CorpusDocument> Read()
    {
        foreach (var file in Files)
        {
            var group = new List<string>();
            foreach (var line in File.ReadLines(Path.Combine(directory, file)))
            {
                var entry = ParseSynset(line);
                if (entry is null) continue;
                group.Add(entry);
                if (group.Count == SynsetsPerDocument)
                {
                    yield return new CorpusDocument(Name, string.Join("\n", group));
                    group.Clear();
                }
            }
            if (group.Count > 0) yield return new CorpusDocument(Name, string.Join("\n", group));
        }
    }

    /// <summary>"lemma, lemma: gloss" for one data-file line; null for the licence header and malformed lines.</summary>
    public static string? ParseSynset(string line)
    {
        if (line.StartsWith("  ", StringComparison.Ordinal)) return null; // licence header
        int bar = line.IndexOf(" | ", StringComparison.Ordinal);
        if (bar < 0) return null;
        var head = line[..bar].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string gloss = TextCleaning.NormalizeLine(line[(bar + 3)..]);
        if (head.Length < 4 || gloss.Length == 0) return null;
        int count;
        try { count = Convert.ToInt32(head[3], 16); }
        catch (FormatException) { return null; }
        var words = new List<string>();
        for (int i = 0; i < count && 4 + 2 * i < head.Length; i++)
        {
            string word = head[4 + 2 * i];
            int paren = word.IndexOf('(');
            if (paren > 0) word = word[..paren]; // adjective markers (a), (p), (ip)
            word = word.Replace('_', ' ');
            if (!words.Contains(word)) words.Add(word);
        }
        if (words.Count == 0) return null;
        return $"{string.Join(", ", words)}: {gloss}";
    }
}
