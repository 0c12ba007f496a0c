namespace TracrInjection.Rasp.Naming;

/// <summary>
/// "Did you mean" suggestions for a misspelt name: an unknown variable, header setting or program id. One edit
/// distance for all of them so that a typo is recognised the same way everywhere.
/// </summary>
public static class DidYouMean
{
    /// <summary>Levenshtein distance (insertions, deletions, substitutions), optionally ignoring case.</summary>
    public static int Distance(string a, string b, bool ignoreCase = false)
    {
        if (ignoreCase)
        {
            a = a.ToLowerInvariant();
            b = b.ToLowerInvariant();
        }
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The nearest candidate within <paramref name="maxDistance"/> edits (ties: ordinal order), or null.</summary>
    public static string? Closest(IEnumerable<string> candidates, string name, int maxDistance) =>
        candidates.Select(k => (k, d: Distance(k, name))).Where(t => t.d <= maxDistance)
            .OrderBy(t => t.d).ThenBy(t => t.k, StringComparer.Ordinal).Select(t => t.k).FirstOrDefault();
}
