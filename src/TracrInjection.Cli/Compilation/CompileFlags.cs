using System.CommandLine;
using System.Globalization;
using TracrInjection.Rasp.Library;

namespace TracrInjection.Cli.Compilation;

/// <summary>
/// The compile-setting flags (<c>--vocab</c> … <c>--fix-tracr-bugs</c>), defined once and read once: by
/// <c>compile</c>, by <c>run</c>/<c>trace</c>/<c>inspect --program</c> (vocabulary, length, causality and fix mode) and by the REPL's
/// <c>compile</c>/<c>trace</c>/<c>run</c>. Each flag given replaces that setting of the program's registered or
/// header settings; what a flag may hold is checked here, what the whole may hold by <see cref="CompilerOptions.Problem"/>.
/// </summary>
public sealed class CompileFlags
{
    public CompileFlags(bool all, string prefix = "")
    {
        Vocab = new("--vocab")
        {
            Description = prefix + "Comma-separated vocabulary. Items are strings when the program's registered vocabulary is all strings, " +
                          "else Python literals (1, 2.5, True, ...). Default: the registered or header vocabulary.",
            HelpName = "a,b,c",
        };
        MaxSeqLen = new("--max-seq-len") { Description = prefix + "Maximum sequence length N (without BOS). Default: registered.", HelpName = "N" };
        Causal = new("--causal") { Description = prefix + "Compile with a causal attention mask (--causal or --causal false). Default: registered." };
        FixTracrBugs = new("--fix-tracr-bugs") { Description = prefix + "Repair the places where tracr's construction disagrees with RASP (spec §11): fix mode." };
        if (!all) return;
        Bos = new("--bos") { Description = "The compiler's BOS token. Default: registered.", HelpName = "TOKEN" };
        Pad = new("--pad") { Description = "The compiler's PAD token. Default: registered.", HelpName = "TOKEN" };
        MlpExactness = new("--mlp-exactness") { Description = "tracr's mlp_exactness (> 0). Default: registered (usually 100).", HelpName = "X" };
        Compress = new("--compress")
        {
            Description = "Residual width d of tracr's compressed model: w_emb [d × D] is the identity when d = D, else a seeded random " +
                          "matrix with orthonormal rows (untrained, so d < D gives lossy outputs).",
            HelpName = "D",
        };
        CompressionSeed = new("--compression-seed") { Description = "Seed of the random compression matrix (default 0).", HelpName = "SEED" };
    }

    public Option<string> Vocab { get; }
    public Option<int?> MaxSeqLen { get; }
    public Option<bool?> Causal { get; }
    public Option<string>? Bos { get; }
    public Option<string>? Pad { get; }
    public Option<double?>? MlpExactness { get; }
    public Option<int?>? Compress { get; }
    public Option<int>? CompressionSeed { get; }
    public Option<bool> FixTracrBugs { get; }

    public IEnumerable<Option> All => new Option?[] { Vocab, MaxSeqLen, Bos, Pad, Causal, MlpExactness, Compress, CompressionSeed, FixTracrBugs }.OfType<Option>();

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>Whether any of these flags was given (they apply to a program, not to a compiled model folder).</summary>
    public bool AnyGiven(ParseResult parse) => All.Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary><paramref name="spec"/>'s settings with every given flag in place.</summary>
    public CompilerOptions Apply(ParseResult parse, ProgramSpec spec)
    {
        var options = spec.Settings;
        if (parse.GetValue(Vocab) is { } v) options = options with { Vocab = Compile.ParseVocab(v, spec) };
        if (parse.GetValue(MaxSeqLen) is int n)
        {
            if (n < 1) throw new CliException($"--max-seq-len must be at least 1 (got {n})");
            options = options with { MaxSeqLen = n };
        }
        if (Bos is not null && parse.GetValue(Bos) is { } b)
        {
            if (b.Length == 0) throw new CliException("--bos must not be empty");
            options = options with { CompilerBos = b };
        }
        if (Pad is not null && parse.GetValue(Pad) is { } p)
        {
            if (p.Length == 0) throw new CliException("--pad must not be empty");
            options = options with { CompilerPad = p };
        }
        if (parse.GetValue(Causal) is bool c) options = options with { Causal = c };
        if (MlpExactness is not null && parse.GetValue(MlpExactness) is double x)
        {
            if (!CompilerOptions.IsValidMlpExactness(x))
                throw new CliException($"--mlp-exactness must be a positive number (got {x.ToString(CultureInfo.InvariantCulture)})");
            options = options with { MlpExactness = x };
        }
        if (Compress is not null && parse.GetValue(Compress) is int d)
        {
            if (d < 1) throw new CliException($"--compress must be at least 1 (got {d})");
            options = options with { CompressedWidth = d };
        }
        if (CompressionSeed is not null) options = options with { CompressionSeed = parse.GetValue(CompressionSeed) };
        if (parse.GetValue(FixTracrBugs)) options = options with { FixTracrBugs = true };
        return options;
    }
}
