using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Settings;

/// <summary>
/// The arguments of tracr's <c>compile_rasp_to_model</c>, plus this port's additions: the one type every front end
/// (a registered program, a <c>.rasp</c> header, the command line, the REPL, an injection task) produces and the
/// compiler reads. It lives beside the language rather than in the compiler because a program's registered settings
/// (<c>ProgramSpec.Settings</c>) and a file's header are settings too, and the language must not depend on the
/// compiler.
/// </summary>
public sealed record CompilerOptions
{
    public const string DefaultBos = "compiler_bos";
    public const string DefaultPad = "compiler_pad";
    public const double DefaultMlpExactness = 100;

    public required IReadOnlyList<Value> Vocab { get; init; }
    public required int MaxSeqLen { get; init; }
    public bool Causal { get; init; }
    public string CompilerBos { get; init; } = DefaultBos;
    public string CompilerPad { get; init; } = DefaultPad;
    /// <summary>tracr's <c>mlp_exactness</c>: the large number L of the discretising MLPs.</summary>
    public double MlpExactness { get; init; } = DefaultMlpExactness;
    /// <summary>
    /// Repair the places where tracr's construction disagrees with the RASP evaluator (spec §11). Off reproduces
    /// tracr bit for bit; on changes a program's model only where tracr's would be wrong or would crash.
    /// </summary>
    public bool FixTracrBugs { get; init; }
    /// <summary>Residual width of the compressed model (tracr's compressed_model embedding_size); null = none.</summary>
    public int? CompressedWidth { get; init; }
    /// <summary>Seed of the random compression matrix.</summary>
    public int CompressionSeed { get; init; } = 0;

    /// <summary>
    /// Settings with neither vocabulary nor length: what a header-less <c>.rasp</c> file has until the caller gives
    /// both (<see cref="Problem"/> names what is missing).
    /// </summary>
    public static CompilerOptions Unset => new() { Vocab = [], MaxSeqLen = 0 };

    /// <summary>tracr's L must be a finite positive number (the header, the CLI and the compiler all ask this).</summary>
    public static bool IsValidMlpExactness(double x) => x > 0 && !double.IsInfinity(x);

    /// <summary>The first reason these settings cannot be compiled (tracr's own messages where it has one), or null.</summary>
    public string? Problem()
    {
        if (Vocab.Count == 0) return "the vocabulary is empty";
        if (MaxSeqLen < 1) return $"max_seq_len must be at least 1, got {MaxSeqLen}";
        if (!IsValidMlpExactness(MlpExactness)) return $"mlp_exactness must be a positive number, got {MlpExactness}";
        var set = new HashSet<Value>(Vocab.Count);
        foreach (var v in Vocab)
        {
            if (v.IsNone || v.IsTuple) return $"vocabulary entry {v.Repr()} must be a str, int, float or bool";
            if (!set.Add(v)) return $"vocabulary entry {v.Repr()} appears twice";
        }
        if (set.Contains(Value.Str(CompilerBos)))
            return $"Compiler BOS token must not be present in the vocab. Found '{CompilerBos}' in {{{string.Join(", ", Vocab.Select(v => v.Repr()))}}}";
        if (set.Contains(Value.Str(CompilerPad)))
            return $"Compiler PAD token must not be present in the vocab. Found '{CompilerPad}' in {{{string.Join(", ", Vocab.Select(v => v.Repr()))}}}";
        if (CompilerBos == CompilerPad) return "compiler BOS and PAD tokens must differ";
        if (CompressedWidth is < 1) return $"compressed width must be positive, got {CompressedWidth}";
        return null;
    }

    /// <summary>
    /// A value-based identity of the settings (a record compares <see cref="Vocab"/> by reference), for caching a
    /// compiled model per program and settings.
    /// </summary>
    public string Key() =>
        $"{string.Join(",", Vocab.Select(v => v.Repr()))}|{MaxSeqLen}|{Causal}|{CompilerBos}|{CompilerPad}|{MlpExactness}|{FixTracrBugs}|{CompressedWidth}|{CompressionSeed}";
}
