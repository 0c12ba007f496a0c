using System.Text.Json;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Experiments;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Training;
using TracrInjection.Models.Gpt2;

namespace TracrInjection.Cli.Tests.Injection;

/// <summary>
/// <c>experiment</c> on a tiny GPT-2 with tiny sizes: the matrix trains, evaluates and summarises; a second call skips
/// finished runs and resumes an interrupted one; the summary is rebuilt from the folders.
/// </summary>
public class ExperimentCommandTests
{
    private static CliResult Run(params string[] args) => InjectionCli.Run(args);

    internal static (string Model, string Corpus) TinySetup(string dir)
    {
        string model = Path.Combine(dir, "model");
        using (var m = new Gpt2Model(new Gpt2Config { NLayer = 3, NHead = 2, NEmbd = 16, NPositions = 160, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, 5))
            Gpt2Checkpoint.Save(m, model);
        string corpus = Path.Combine(dir, "corpus");
        Directory.CreateDirectory(corpus);
        CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.HeldOutFileName),
        [
            "The cat sat on the mat and the dog sat on the log. The children walked along the river until evening.",
            "A bird sang in the tree every morning. The farmer planted wheat beside the orchard.",
            "The dog ran to the park. Her brother painted the fence yellow before breakfast.",
            "Every cat likes a mat. The sailors watched the storm approach the harbour.",
        ]);
        return (model, corpus);
    }

    static string[] Common(string model, string corpus, string exp) =>
    [
        "--model", model, "--out", exp, "--steps", "2", "--batch-size", "2", "--kl-batch-size", "1", "--pool-size", "400",
        "--eval-items", "6", "--corpus", corpus, "--threads", "1", "--plain", "--resamples", "200",
    ];

    [Fact]
    public void BadInputIsAUsageError()
    {
        CliRunner.AssertUsageError(Run("experiment", "--tasks", "mult"), "unknown task 'mult'");
        CliRunner.AssertUsageError(Run("experiment", "--seeds", "0"), "--seeds must be at least 1");
        CliRunner.AssertUsageError(Run("experiment", "--lm-eval-items", "3"), "--lm-eval-items must be an even number");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void SkipsFinishedRunsResumesInterruptedOnesAndRebuildsTheSummary()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tracr-experiment-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (model, corpus) = TinySetup(dir);
            string exp = Path.Combine(dir, "exp");
            string[] args = ["experiment", "--tasks", "dyck", "--seeds", "2", "--lm-eval-items", "4", .. Common(model, corpus, exp)];

            // An interrupted run: seed 2's injection, stopped after 1 of its 2 steps (what Ctrl+C leaves behind).
            var first = Run(["experiment", "--tasks", "dyck", "--seeds", "1", "--lm-eval-items", "4", .. Common(model, corpus, exp)]);
            Assert.True(first.ExitCode == 0, first.Err);
            string seed1 = ExperimentSummary.RunDirectory(exp, "dyck", "injection", 1);
            string seed2 = ExperimentSummary.RunDirectory(exp, "dyck", "injection", 2);
            var options = RunFolder.Open(seed1).Config.Options with { Seed = 2 };
            using (var trainer = InjectionTrainer.Create(seed2, model, options, model, command: "test"))
            {
                using var stop = new CancellationTokenSource();
                var result = trainer.Train(stop.Token, p => { if (p.Step == 1) stop.Cancel(); });
                Assert.Equal(InjectionStop.Cancelled, result.Stop);
            }
            Assert.Equal("training", ExperimentSummary.Inspect(exp, seed2, "dyck", "injection", 2).Status);
            var metrics1 = File.GetLastWriteTimeUtc(Path.Combine(seed1, RunFolder.MetricsFile));

            var second = Run(args);
            Assert.True(second.ExitCode == 0, second.Err);
            Assert.Contains("dyck injection seed 1: finished and evaluated, skipped", second.Err);
            Assert.Contains("dyck baseline seed 1: finished and evaluated, skipped", second.Err);
            Assert.Contains("dyck injection seed 2: resuming at step 1 of 2", second.Err);
            Assert.Equal(metrics1, File.GetLastWriteTimeUtc(Path.Combine(seed1, RunFolder.MetricsFile)));
            // The original model's lm-eval report is computed once for the whole matrix.
            Assert.Single(Directory.GetFiles(Path.Combine(exp, ".lm-eval-cache")));
            Assert.True(RunEvaluator.ReadMetrics(seed2).RetainedAbility!.OriginalFromCache);

            var summary = ExperimentSummary.FromJson(File.ReadAllText(Path.Combine(exp, ExperimentSummary.JsonFile)));
            Assert.Equal(4, summary.Runs.Count(r => r.Status == "evaluated"));
            Assert.NotNull(summary.Commit);
            var dyck = Assert.Single(summary.Tasks);
            Assert.Equal(["in_distribution", "almost_balanced", "ood_new_token", "length_ood"], dyck.Splits.Select(s => s.Split));
            foreach (var s in dyck.Splits)
            {
                Assert.Equal([1L, 2L], s.Methods["injection"].Seeds);
                Assert.Equal([1L, 2L], s.Methods["baseline"].Seeds);
                Assert.Equal([1L, 2L], s.PairedSeeds!);
                Assert.True(s.Difference!.Low <= s.Difference.Mean && s.Difference.Mean <= s.Difference.High);
                Assert.Equal(s.Win, s.CountsAsWin && s.Difference.Low > 0);
            }
            Assert.False(dyck.Splits.Single(s => s.Split == "almost_balanced").CountsAsWin);
            Assert.NotNull(dyck.Figures["injection"].Decodability);
            Assert.NotNull(dyck.Figures["injection"].Causal!.IsotropicSubspace);
            Assert.Equal([0.0, 5, 10, 30], dyck.Figures["injection"].CausalAbsolute!.Norms);
            Assert.NotNull(dyck.Figures["baseline"].RetainedAbility);
            foreach (var png in new[] { "accuracy_dyck.png", "decodability_dyck.png", "causal_dyck.png", "causal_absolute_dyck.png", "training_dyck.png" })
                Assert.True(File.Exists(Path.Combine(exp, ExperimentSummary.PlotsFolder, png)), png);
            string md = File.ReadAllText(Path.Combine(exp, ExperimentSummary.MarkdownFile));
            Assert.Contains("| dyck | almost_balanced |", md);
            Assert.Contains("(not counted)", md);

            // Deleting a run's evaluation: the summary-only rebuild leaves it out; the next call evaluates it again.
            File.Delete(Path.Combine(seed2, RunFolder.MetricsFile));
            var rebuilt = Run(["experiment", "--tasks", "dyck", "--seeds", "2", "--summary-only", "--out", exp]);
            Assert.True(rebuilt.ExitCode == 0, rebuilt.Err);
            var partial = ExperimentSummary.FromJson(File.ReadAllText(Path.Combine(exp, ExperimentSummary.JsonFile)));
            Assert.Equal("trained", partial.Runs.Single(r => r.Seed == 2 && r.Method == "injection").Status);
            Assert.Equal([1L], partial.Tasks[0].Splits[0].Methods["injection"].Seeds);
            Assert.Equal(Bootstrap.Accuracy([ItemResults.Load(seed1)!.Split("in_distribution")!], 200).Mean,
                partial.Tasks[0].Splits[0].Methods["injection"].Mean, 12);

            // evaluate and compare show intervals and the retained ability.
            var cmp = Run("compare", seed1, ExperimentSummary.RunDirectory(exp, "dyck", "baseline", 1));
            Assert.True(cmp.ExitCode == 0, cmp.Err);
            Assert.Contains("lm-eval split-brackets: cloze", cmp.Out);
            Assert.Contains("(95% interval)", cmp.Out);
            var json = Run("compare", seed1, ExperimentSummary.RunDirectory(exp, "dyck", "baseline", 1), "--json").Json();
            Assert.Equal(JsonValueKind.Object, json.GetProperty("retained_ability").GetProperty("injection").ValueKind);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheWholeMatrixRunsEndToEndInReducedSize()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tracr-experiment-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (model, corpus) = TinySetup(dir);
            string exp = Path.Combine(dir, "exp");
            var r = Run(["experiment", "--tasks", "dyck,count,sum", "--seeds", "1", "--no-lm-eval", .. Common(model, corpus, exp)]);
            Assert.True(r.ExitCode == 0, r.Err);
            var summary = ExperimentSummary.FromJson(File.ReadAllText(Path.Combine(exp, ExperimentSummary.JsonFile)));
            Assert.Equal(["dyck", "count", "sum"], summary.Tasks.Select(t => t.Task));
            Assert.Equal(6, summary.Runs.Count(x => x.Status == "evaluated"));
            var count = summary.Tasks.Single(t => t.Task == "count");
            Assert.Contains(count.Splits, s => s.Split.StartsWith("in_distribution (", StringComparison.Ordinal));
            Assert.Contains("| sum | cascading_overflow |", r.Out);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
