using System.Text.Json;
using TracrInjection.Cli.Injection;
using TracrInjection.Injection.Corpus;
using TracrInjection.Models.Gpt2;

namespace TracrInjection.Cli.Tests.Injection;

/// <summary>The injection commands in-process: bad input is one error line and exit code 2; a tiny end-to-end run.</summary>
public class InjectionCommandTests
{
    private static CliResult Run(params string[] args) => InjectionCli.Run(args);

    [Fact]
    public void InjectNeedsAKnownTask()
    {
        CliRunner.AssertUsageError(Run("inject"), "give --task");
        CliRunner.AssertUsageError(Run("inject", "--task", "mult"), "unknown task 'mult'");
        CliRunner.AssertUsageError(Run("inject", "--task", "dyck", "--preset", "fancy"), "unknown preset 'fancy'");
        CliRunner.AssertUsageError(Run("inject", "--task", "dyck", "--fixes", "no_such_fix"), "unknown fix 'no_such_fix'");
        CliRunner.AssertUsageError(Run("inject", "--task", "dyck", "--steps", "0"), "steps must be at least 1");
    }

    [Fact]
    public void MissingModelsRunsAndMetricsAreUsageErrors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-run-" + Guid.NewGuid().ToString("N"));
        CliRunner.AssertUsageError(Run("inject", "--task", "dyck", "--model", missing, "--out", missing + "-out"), "not a model folder");
        CliRunner.AssertUsageError(Run("evaluate", "--run", missing), "not a run folder");
        CliRunner.AssertUsageError(Run("compare", missing, missing), "not a run folder");
        Assert.False(Directory.Exists(missing + "-out"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void InjectEvaluateAndCompareATinyModel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tracr-inject-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            string model = Path.Combine(dir, "model");
            using (var m = new Gpt2Model(new Gpt2Config { NLayer = 3, NHead = 2, NEmbd = 16, NPositions = 64, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, 5))
                Gpt2Checkpoint.Save(m, model);
            string corpus = Path.Combine(dir, "corpus");
            Directory.CreateDirectory(corpus);
            CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.HeldOutFileName),
                ["The cat sat on the mat and the dog sat on the log.", "A bird sang in the tree every morning.", "The dog ran to the park.", "Every cat likes a mat."]);
            string[] common = ["--task", "dyck", "--model", model, "--preset", "improved", "--steps", "2", "--batch-size", "2", "--kl-batch-size", "1",
                "--pool-size", "400", "--eval-items", "4", "--lm-eval-items", "4", "--corpus", corpus, "--threads", "1", "--plain"];
            var inj = Run(["inject", .. common, "--out", Path.Combine(dir, "inj")]);
            Assert.True(inj.ExitCode == 0, inj.Err);
            Assert.Contains("in_distribution", inj.Out);
            var bas = Run(["inject", .. common, "--baseline", "--out", Path.Combine(dir, "base")]);
            Assert.True(bas.ExitCode == 0, bas.Err);
            CliRunner.AssertUsageError(Run(["inject", .. common, "--out", Path.Combine(dir, "inj")]), "already holds a run");

            var json = Run("compare", Path.Combine(dir, "base"), Path.Combine(dir, "inj"), "--json").Json();
            Assert.Equal("dyck", json.GetProperty("task").GetString());
            foreach (var role in new[] { "injection", "baseline" })
            {
                var acc = json.GetProperty(role);
                Assert.Equal(["in_distribution", "almost_balanced", "ood_new_token", "length_ood"], acc.EnumerateObject().Select(p => p.Name));
                Assert.All(acc.EnumerateObject(), p => Assert.InRange(p.Value.GetDouble(), 0, 1));
            }
            Assert.True(File.Exists(Path.Combine(dir, "base", "plots", "compare.png")));

            var again = Run("evaluate", "--run", Path.Combine(dir, "inj"), "--json");
            Assert.Equal("injection", JsonDocument.Parse(again.Out).RootElement.GetProperty("method").GetString());
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
