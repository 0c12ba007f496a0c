using System.Text.Json;
using TracrInjection.Cli.Injection;
using TracrInjection.Injection.Corpus;
using TracrInjection.Models.Gpt2;

namespace TracrInjection.Cli.Tests.Injection;

/// <summary><c>inject --program FILE.rasp</c>: every bad input is one error line and exit code 2; a tiny end-to-end run.</summary>
public class InjectProgramCommandTests
{
    private const string Histogram = """
        # Histogram over a, b, c.
        # vocab: a, b, c
        # max_seq_len: 5
        same = select(tokens, tokens, ==);
        hist = selector_width(same).named("hist");
        """;

    private static CliResult Run(params string[] args) => InjectionCli.Run(args);

    [Fact]
    public void BadInputIsOneErrorLineAndLeavesNoRunFolder()
    {
        using var tmp = new TempFolder();
        string prog = tmp["hist.rasp"];
        File.WriteAllText(prog, Histogram);
        string bad = tmp["bad.rasp"];
        File.WriteAllText(bad, "# vocab: a, b\n# max_seq_len: 4\nx = select(tokens, ;\n");
        string numerical = tmp["num.rasp"];
        File.WriteAllText(numerical, "# vocab: a, b\n# max_seq_len: 5\nx = numerical(map(lambda t: 1, tokens));\n");
        string noHeader = tmp["plain.rasp"];
        File.WriteAllText(noHeader, "x = map(lambda t: t, tokens);\n");
        string outDir = tmp["run"];
        CliResult Inject(params string[] args) => Run(["inject", "--out", outDir, "--steps", "1", .. args]);

        CliRunner.AssertUsageError(Inject("--program", tmp["missing.rasp"], "--prompt-template", "C: {input} ="), "does not exist");
        CliRunner.AssertUsageError(Inject("--program", bad, "--prompt-template", "C: {input} ="), "bad.rasp:3:");
        CliRunner.AssertUsageError(Inject("--program", prog), "give --prompt-template");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "Count ="), "exactly once (found 0");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "{input} {input} ="), "exactly once (found 2");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "Count: {input}"), "needs text after {input}");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "Count: {input} =", "--vocab", "a,xqzvw"), "'xqzvw' is not a single language-model token");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "Count: {input} =", "--answer", "7"), "answer position 7 does not exist");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "Count: {input} =", "--answer", "middle"), "not last, first, all");
        CliRunner.AssertUsageError(Inject("--program", numerical, "--prompt-template", "C: {input} ="), "is numerical");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "C: {input} =", "--min-length", "0"), "min input length");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "C: {input} =", "--min-length", "6"), "min input length");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "C: {input} =", "--ood-length", "5"), "OOD length must be greater");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "C: {input} =", "--max-seq-len", "0"), "max input length must be at least 1");
        CliRunner.AssertUsageError(Inject("--program", prog, "--prompt-template", "C: {input} =", "--tokenizer", "fancy"), "unknown tokenizer 'fancy'");
        CliRunner.AssertUsageError(Inject("--program", noHeader, "--prompt-template", "C: {input} ="), "has no vocabulary");
        CliRunner.AssertUsageError(Inject("--program", noHeader, "--vocab", "a,b", "--prompt-template", "C: {input} ="), "has no max_seq_len");
        CliRunner.AssertUsageError(Inject("--program", prog, "--task", "dyck", "--prompt-template", "C: {input} ="), "either --task or --program");
        CliRunner.AssertUsageError(Inject("--task", "dyck", "--prompt-template", "C: {input} ="), "--prompt-template applies to --program only");
        CliRunner.AssertUsageError(Inject(), "give --task sum|count|dyck or --program");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void InjectEvaluateCompareAndResumeAProgram()
    {
        using var tmp = new TempFolder();
        string prog = tmp["hist.rasp"];
        File.WriteAllText(prog, Histogram);
        string model = tmp["model"];
        using (var m = new Gpt2Model(new Gpt2Config { NLayer = 3, NHead = 2, NEmbd = 16, NPositions = 64, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, 5))
            Gpt2Checkpoint.Save(m, model);
        string corpus = tmp["corpus"];
        Directory.CreateDirectory(corpus);
        CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.HeldOutFileName),
            ["The cat sat on the mat and the dog sat on the log.", "A bird sang in the tree every morning.", "The dog ran to the park."]);
        string[] common = ["--program", prog, "--prompt-template", "Count: {input} =", "--answer", "last", "--model", model, "--preset", "improved",
            "--steps", "2", "--batch-size", "2", "--kl-batch-size", "1", "--eval-items", "4", "--lm-eval-items", "4", "--corpus", corpus, "--threads", "1", "--plain"];
        string inj = tmp["inj"], bas = tmp["base"];
        var r = Run(["inject", .. common, "--out", inj]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("program:hist", r.Out);
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(inj, "metrics.json"))).RootElement;
        Assert.Equal("program:hist", metrics.GetProperty("task").GetString());
        Assert.Equal(["in_distribution", "length_ood"], metrics.GetProperty("accuracy").EnumerateObject().Select(p => p.Name));
        // The compiled teacher answers its own task perfectly through the input window.
        Assert.Equal(1.0, metrics.GetProperty("decodability").GetProperty("teacher_accuracy").GetDouble());
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(inj, "config.json"))).RootElement.GetProperty("options").GetProperty("program");
        Assert.Contains("selector_width", config.GetProperty("text").GetString());

        var b = Run(["inject", .. common, "--baseline", "--out", bas]);
        Assert.True(b.ExitCode == 0, b.Err);
        var json = Run("compare", inj, bas, "--json").Json();
        Assert.Equal("program:hist", json.GetProperty("task").GetString());
        foreach (var role in new[] { "injection", "baseline" })
            Assert.All(json.GetProperty(role).EnumerateObject(), p => Assert.InRange(p.Value.GetDouble(), 0, 1));

        // The run folder is self-contained: evaluate and resume work with the program file gone.
        File.Delete(prog);
        var again = Run("evaluate", "--run", inj, "--json");
        Assert.Equal("injection", JsonDocument.Parse(again.Out).RootElement.GetProperty("method").GetString());
        var resumed = Run("inject", "--out", inj, "--resume", "--steps", "3", "--plain", "--no-eval");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains("resuming", resumed.Err);
    }
}
