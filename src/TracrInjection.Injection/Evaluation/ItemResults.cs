using System.Text.Json;
using TracrInjection.Injection.Options;
using TracrInjection.Models;

namespace TracrInjection.Injection.Evaluation;

/// <summary>
/// Per-item correctness of a run's evaluation (<c>items.json</c> beside metrics.json): for each split, one character
/// per evaluated item in the split's sampled order ('1' right, '0' wrong). Two runs of the same task, seed and
/// evaluation size see the same items in the same order (the sample depends only on the seed), so the experiment
/// summary pairs injection and baseline item by item.
/// </summary>
public sealed record ItemResults
{
    public const string FileName = "items.json";

    /// <summary>Split name → "0110…".</summary>
    public required IReadOnlyDictionary<string, string> Splits { get; init; }
    /// <summary>Answer digits of each in-distribution item (count), in the same order; null for other tasks.</summary>
    public IReadOnlyList<int>? InDistributionAnswerDigits { get; init; }

    public static string Encode(IEnumerable<bool> correct) => string.Concat(correct.Select(b => b ? '1' : '0'));

    public static bool[] Decode(string s) => s.Select(c => c switch
    {
        '1' => true,
        '0' => false,
        _ => throw new InvalidDataException($"per-item results hold '{c}' (only 0 and 1)"),
    }).ToArray();

    public bool[]? Split(string name) => Splits.TryGetValue(name, out var s) ? Decode(s) : null;

    public void Save(string runDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(this, InjectionOptions.Json));

    /// <summary>The run's per-item results, or null when it was evaluated before they were saved.</summary>
    public static ItemResults? Load(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ItemResults>(File.ReadAllText(path), InjectionOptions.Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a per-item results file: {ex.Message}");
        }
    }
}
