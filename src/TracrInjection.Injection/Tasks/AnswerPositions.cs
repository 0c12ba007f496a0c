using TracrInjection.Rasp.Expressions;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// Which output positions form the answer: <c>last</c>, <c>first</c>, <c>all</c>, or 0-based input positions
/// (negative ones count from the end), for example <c>0,-1</c>.
/// </summary>
public sealed record AnswerPositions(string Text, bool All, IReadOnlyList<int> Indices)
{
    /// <summary>Parses <paramref name="text"/>; every listed position must exist in inputs of <paramref name="minLength"/> tokens.</summary>
    public static AnswerPositions Parse(string text, int minLength)
    {
        string t = (text ?? "").Trim().ToLowerInvariant();
        switch (t)
        {
            case "last": return new(t, false, [-1]);
            case "first": return new(t, false, [0]);
            case "all": return new(t, true, []);
        }
        var indices = new List<int>();
        foreach (var part in t.Split(','))
        {
            if (!int.TryParse(part.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int i))
                throw new ArgumentException($"answer '{text}' is not last, first, all or a comma list of input positions (0-based, negative from the end)");
            if (i >= minLength || i < -minLength)
                throw new ArgumentException($"answer position {i} does not exist in inputs of {minLength} token{(minLength == 1 ? "" : "s")} (the minimum length): " +
                                            $"use positions from {-minLength} to {minLength - 1}, or raise --min-length");
            indices.Add(i);
        }
        return new(t, false, indices);
    }

    /// <summary>The 0-based output positions of an input of <paramref name="n"/> tokens.</summary>
    public int[] For(int n) => All ? Enumerable.Range(0, n).ToArray() : Indices.Select(i => i < 0 ? n + i : i).ToArray();

    /// <summary>Answer values for an input of <paramref name="n"/> tokens.</summary>
    public int Count(int n) => All ? n : Indices.Count;
}
