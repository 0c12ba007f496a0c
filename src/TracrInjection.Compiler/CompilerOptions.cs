using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler;

/// <summary>The arguments of tracr's <c>compile_rasp_to_model</c>, plus this port's additions.</summary>
public sealed record CompilerOptions
{
    public required IReadOnlyList<Value> Vocab { get; init; }
    public required int MaxSeqLen { get; init; }
    public bool Causal { get; init; }
    public string CompilerBos { get; init; } = "compiler_bos";
    public string CompilerPad { get; init; } = "compiler_pad";
    /// <summary>tracr's <c>mlp_exactness</c>: the large number L of the discretising MLPs.</summary>
    public double MlpExactness { get; init; } = 100;
    /// <summary>
    /// Repair the places where tracr's construction disagrees with the RASP evaluator (spec §11). Off reproduces
    /// tracr bit for bit; on changes a program's model only where tracr's would be wrong or would crash.
    /// </summary>
    public bool FixTracrBugs { get; init; }
    /// <summary>Residual width of the compressed model (tracr's compressed_model embedding_size); null = none.</summary>
    public int? CompressedWidth { get; init; }
    /// <summary>Seed of the random compression matrix.</summary>
    public int CompressionSeed { get; init; } = 0;

    /// <summary>The settings a registered program is meant to be compiled with.</summary>
    public static CompilerOptions For(Rasp.Library.ProgramSpec spec, bool fixTracrBugs = false) => new()
    {
        Vocab = spec.Vocab,
        MaxSeqLen = spec.MaxSeqLen,
        Causal = spec.Causal,
        MlpExactness = spec.MlpExactness,
        CompilerBos = spec.CompilerBos,
        CompilerPad = spec.CompilerPad,
        FixTracrBugs = fixTracrBugs,
    };
}
