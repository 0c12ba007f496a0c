using System.Security.Cryptography;
using System.Text;

namespace TracrInjection.Injection.LanguageEvaluation;

/// <summary>One two-way question with its right answer (one of <see cref="ChoiceTask.Answers"/>).</summary>
public sealed record ChoiceItem(string Prompt, int Answer);

/// <summary>
/// A 2-shot choice task in the style of the paper's SST-2/MRPC retention checks, built from WordNet:
/// "are these two words the same or opposite in meaning?", with synonym pairs (two words of one
/// synset) and antonym pairs (WordNet's "!" pointers), balanced. Each question is preceded by two
/// solved examples, one of each kind, in an order independent of the answer so that copying either
/// example's answer scores 50%. Scored by comparing the logits of the two answer words' first tokens at the answer
/// position. Pairs are chosen by a hash of their words, so the task is the same on every machine
/// with the same WordNet; the examples come from a pool disjoint from the questions.
/// </summary>
public static class ChoiceTask
{
    public const string DefaultWordNetDirectory = "/usr/share/wordnet";
    public static readonly string[] Answers = ["same", "opposite"];
    static readonly string[] Files = ["data.adj", "data.noun", "data.verb", "data.adv"];

    public static string Question(string a, string b) => $"Are the words \"{a}\" and \"{b}\" the same or opposite in meaning? Answer:";

    public static IReadOnlyList<ChoiceItem> Build(IReadOnlyList<(string A, string B)> synonyms, IReadOnlyList<(string A, string B)> antonyms, int count)
    {
        int perKind = count / 2;
        int shots = Math.Max(8, perKind / 10);
        if (synonyms.Count < perKind + shots || antonyms.Count < perKind + shots)
            throw new InvalidDataException($"the choice task needs {perKind + shots} pairs of each kind; WordNet gave {synonyms.Count} synonym and {antonyms.Count} antonym pairs.");
        var syn = ByHash(synonyms);
        var ant = ByHash(antonyms);
        var items = new List<ChoiceItem>(2 * perKind);
        for (int i = 0; i < perKind; i++)
        {
            foreach (var (pair, answer) in new[] { (syn[shots + i], 0), (ant[shots + i], 1) })
            {
                int k = items.Count;
                var same = syn[k % shots];
                var opposite = ant[(k * 7 + 3) % shots];
                // The demonstrations' order flips per pair of questions, not per question, so that it is
                // independent of the answer: copying either demonstration's answer scores 50%.
                bool sameFirst = i % 2 == 0;
                var first = sameFirst ? (same, 0) : (opposite, 1);
                var second = sameFirst ? (opposite, 1) : (same, 0);
                var prompt = new StringBuilder();
                foreach (var ((a, b), label) in new[] { first, second })
                    prompt.Append(Question(a, b)).Append(' ').Append(Answers[label]).Append('\n');
                prompt.Append(Question(pair.A, pair.B));
                items.Add(new ChoiceItem(prompt.ToString(), answer));
            }
        }
        return items;
    }

    static List<(string A, string B)> ByHash(IReadOnlyList<(string A, string B)> pairs) =>
        pairs.Distinct().OrderBy(p => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(p.A + "|" + p.B))), StringComparer.Ordinal).ToList();

    public static IReadOnlyList<ChoiceItem> FromWordNet(int count, string directory = DefaultWordNetDirectory)
    {
        var (synonyms, antonyms) = WordNetPairs(directory);
        return Build(synonyms, antonyms, count);
    }

    /// <summary>
    /// Synonym pairs (the first two words of a synset) and antonym pairs (lexical "!" pointers) of
    /// single lower-case words of 3–12 letters, each unordered pair once.
    /// </summary>
    public static (List<(string A, string B)> Synonyms, List<(string A, string B)> Antonyms) WordNetPairs(string directory)
    {
        var synsets = new Dictionary<(string Pos, string Offset), string[]>();
        var pointers = new List<(string Pos, string Offset, int Source, string TargetPos, string TargetOffset, int Target)>();
        foreach (var file in Files)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path)) throw new FileNotFoundException($"WordNet file '{path}' is missing: install the Debian package wordnet-base (scripts/setup.sh).", path);
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(' ')) continue; // licence header
                var f = line.Split(' ');
                string offset = f[0], pos = f[2];
                int words = Convert.ToInt32(f[3], 16);
                var lemmas = new string[words];
                for (int w = 0; w < words; w++) lemmas[w] = f[4 + 2 * w];
                synsets[(Pos(pos), offset)] = lemmas;
                int p = 4 + 2 * words;
                int pointerCount = int.Parse(f[p]);
                for (int k = 0; k < pointerCount; k++)
                {
                    int at = p + 1 + 4 * k;
                    if (f[at] != "!") continue;
                    string st = f[at + 3];
                    pointers.Add((Pos(pos), offset, Convert.ToInt32(st[..2], 16), Pos(f[at + 2]), f[at + 1], Convert.ToInt32(st[2..], 16)));
                }
            }
        }
        static string Pos(string p) => p == "s" ? "a" : p; // adjective satellites live in data.adj
        static bool Plain(string w) => w.Length is >= 3 and <= 12 && w.All(char.IsAsciiLetterLower);
        static (string, string) Unordered(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

        var synonyms = new HashSet<(string, string)>();
        foreach (var lemmas in synsets.Values)
            if (lemmas.Length >= 2 && Plain(lemmas[0]) && Plain(lemmas[1]) && lemmas[0] != lemmas[1])
                synonyms.Add(Unordered(lemmas[0], lemmas[1]));
        var antonyms = new HashSet<(string, string)>();
        foreach (var (pos, offset, source, targetPos, targetOffset, target) in pointers)
        {
            if (source == 0 || target == 0) continue;
            if (!synsets.TryGetValue((pos, offset), out var from) || !synsets.TryGetValue((targetPos, targetOffset), out var to)) continue;
            if (source > from.Length || target > to.Length) continue;
            string a = from[source - 1], b = to[target - 1];
            if (Plain(a) && Plain(b) && a != b) antonyms.Add(Unordered(a, b));
        }
        antonyms.ExceptWith(synonyms);
        return (synonyms.Order().ToList(), antonyms.Order().ToList());
    }
}
