namespace TracrInjection.Injection.Presets;

/// <summary>
/// The paper's quirks, each fixable on its own so that every fix is an ablation against the faithful run
/// (paper.md §5.1 and §7). All false = <see cref="InjectionPreset.Paper"/>; all true = <see cref="InjectionPreset.Improved"/>.
/// </summary>
public sealed record InjectionFixes
{
    /// <summary>
    /// sum: the translator also maps <c>=</c> and <c>+</c> (fill-up becomes <c>' '</c>). The paper maps only digits,
    /// so <c>" ="</c> becomes the fill-up <c>+</c>, the teacher never finds <c>=</c> and its final_result is empty.
    /// </summary>
    public bool MapOperators { get; init; }

    /// <summary>
    /// count: the digit-split tokenizer, so the answer " 12" is " 1", "2", exactly the teacher's digit-wise
    /// final_result. The paper keeps the stock tokenizer and its single token " 12" (the teacher then only supervises
    /// the tens digit for n ≥ 10).
    /// </summary>
    public bool CountSplitDigits { get; init; }

    /// <summary>
    /// The answer cross-entropy covers exactly the answer tokens. The paper's mask covers len(label) positions
    /// (characters), which adds one or two EOS predictions for count and dyck answers.
    /// </summary>
    public bool TokenExactMask { get; init; }

    /// <summary>
    /// No supervised example is truncated: batches are padded to their longest example (the dyck teacher is compiled
    /// for 48 positions). The paper cuts at 15 / 47 / 37 tokens, dropping the answer of long count and dyck examples.
    /// </summary>
    public bool NoTruncation { get; init; }

    /// <summary>The cosine alignment averages over real tokens only (the paper includes the padding positions).</summary>
    public bool AlignRealTokensOnly { get; init; }

    /// <summary>
    /// The teacher is compiled with the compiler's tracr-bug repairs. tracr's SelectorWidth miscounts long prefixes
    /// (bugs B4/B5): the paper's dyck teacher answers about 11% of the in-distribution test items wrongly.
    /// </summary>
    public bool RepairTracrBugs { get; init; }

    /// <summary>sum: an extra OOD split <c>length_ood_4digit</c> with both operands in [1000, 4500) (the paper ignores min_int).</summary>
    public bool TrueLengthOod { get; init; }

    public static InjectionFixes None { get; } = new();

    public static InjectionFixes All { get; } = new()
    {
        MapOperators = true, CountSplitDigits = true, TokenExactMask = true, NoTruncation = true,
        AlignRealTokensOnly = true, TrueLengthOod = true, RepairTracrBugs = true,
    };

    public static InjectionFixes For(InjectionPreset preset) => preset == InjectionPreset.Paper ? None : All;

    public static IReadOnlyList<FixInfo> Catalogue { get; } =
    [
        new("map_operators", "sum: translator maps '=' and '+' (paper: only digits, so the teacher never sees '=')"),
        new("count_split_digits", "count: digit-split tokenizer, answer tokens = the teacher's digits (paper: one token ' 12')"),
        new("token_exact_mask", "answer CE on exactly the answer tokens (paper: len(label) characters, EOS included)"),
        new("no_truncation", "no supervised example truncated (paper: 15/47/37 tokens; long count/dyck answers dropped)"),
        new("align_real_tokens_only", "cosine alignment on real tokens only (paper: padding positions too)"),
        new("repair_tracr_bugs", "teacher compiled with tracr-bug repairs (tracr's SelectorWidth miscounts: the paper's dyck teacher is wrong on ~11% of test items)"),
        new("true_length_ood", "sum: extra split length_ood_4digit with min_int honoured (paper ignores min_int)"),
    ];

    public bool IsOn(string name) => name switch
    {
        "map_operators" => MapOperators,
        "count_split_digits" => CountSplitDigits,
        "token_exact_mask" => TokenExactMask,
        "no_truncation" => NoTruncation,
        "align_real_tokens_only" => AlignRealTokensOnly,
        "true_length_ood" => TrueLengthOod,
        "repair_tracr_bugs" => RepairTracrBugs,
        _ => throw new ArgumentException($"unknown fix '{name}'; known: {string.Join(", ", Catalogue.Select(f => f.Name))}"),
    };

    public InjectionFixes With(string name, bool on) => name switch
    {
        "map_operators" => this with { MapOperators = on },
        "count_split_digits" => this with { CountSplitDigits = on },
        "token_exact_mask" => this with { TokenExactMask = on },
        "no_truncation" => this with { NoTruncation = on },
        "align_real_tokens_only" => this with { AlignRealTokensOnly = on },
        "true_length_ood" => this with { TrueLengthOod = on },
        "repair_tracr_bugs" => this with { RepairTracrBugs = on },
        _ => throw new ArgumentException($"unknown fix '{name}'; known: {string.Join(", ", Catalogue.Select(f => f.Name))}"),
    };

    /// <summary>Names of the fixes that are on.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Enabled => Catalogue.Where(f => IsOn(f.Name)).Select(f => f.Name).ToList();

    /// <summary>
    /// Parses <c>all</c>, <c>none</c> or a comma-separated list of fix names (a leading <c>-</c> turns one off),
    /// applied on top of <paramref name="start"/>.
    /// </summary>
    public static InjectionFixes Parse(string text, InjectionFixes start)
    {
        var result = start;
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "all") result = All;
            else if (raw == "none") result = None;
            else if (raw.StartsWith('-')) result = result.With(raw[1..], false);
            else result = result.With(raw.TrimStart('+'), true);
        }
        return result;
    }
}
