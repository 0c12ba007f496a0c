using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;
using TracrInjection.Models.Gpt2;

namespace TracrInjection.Injection.Tests.Training;

/// <summary>Dropout draws from torch's process-wide generator: these runs must not share the process with other tests.</summary>
[CollectionDefinition("torch-global-rng", DisableParallelization = true)]
public sealed class TorchGlobalRngCollection;

[Collection("torch-global-rng")]
public class InjectionTrainerTests
{
    private static byte[] Bytes(string checkpoint, string file) => File.ReadAllBytes(Path.Combine(checkpoint, file));

    [Fact]
    public void ResumingAKilledRunEndsWhereAnUninterruptedRunEnds()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"], dropout: 0.1);
        var options = InjectionTestSupport.Options("dyck", steps: 5);
        var kl = InjectionTestSupport.KlSource(InjectionTask.Dyck);

        string straight;
        using (var t = InjectionTrainer.Create(dir["straight"], model, options, klSource: kl))
            straight = t.Train().LastCheckpoint!;

        // Killed after step 3 (no checkpoint on the way out): the last checkpoint is step 2.
        using (var t = InjectionTrainer.Create(dir["killed"], model, options, klSource: kl))
        {
            using var cts = new CancellationTokenSource();
            var r = t.Train(cts.Token, p => { if (p.Step == 3) cts.Cancel(); }, checkpointOnCancel: false);
            Assert.Equal(InjectionStop.Cancelled, r.Stop);
            Assert.Equal(3, r.Step);
        }
        string resumed;
        using (var t = InjectionTrainer.Resume(dir["killed"], kl))
        {
            Assert.Equal(2, t.Step);
            resumed = t.Train().LastCheckpoint!;
        }
        Assert.Equal(5, InjectionCheckpoint.LoadState(resumed).Step);
        Assert.Equal(Bytes(straight, "model/model.safetensors"), Bytes(resumed, "model/model.safetensors"));
        Assert.Equal(Bytes(straight, InjectionCheckpoint.AdapterFile), Bytes(resumed, InjectionCheckpoint.AdapterFile));
        Assert.Equal(Bytes(straight, InjectionCheckpoint.OptimizerFile), Bytes(resumed, InjectionCheckpoint.OptimizerFile));
        // The log of the resumed run has each step once.
        var log = RunFolder.Open(dir["killed"]).ReadLog();
        Assert.Equal([1, 2, 3, 4, 5], log.Select(e => (int)e.Step));
        Assert.Equal(RunFolder.Open(dir["straight"]).ReadLog().Select(e => e.Total), log.Select(e => e.Total));
    }

    [Fact]
    public void ANonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"]);
        var options = InjectionTestSupport.Options("dyck", steps: 6);
        using var t = InjectionTrainer.Create(dir["run"], model, options, klSource: InjectionTestSupport.KlSource(InjectionTask.Dyck));
        t.LossOverride = (step, loss) => step == 2 ? double.NaN : loss;
        var ex = Assert.Throws<InjectionDivergedException>(() => t.Train());
        Assert.Equal(3, ex.Step);
        Assert.Contains("diverged at step 3", ex.Message);
        Assert.Contains("NaN", ex.Message);
        string latest = RunFolder.Open(dir["run"]).LatestCheckpoint()!;
        Assert.Equal(2, InjectionCheckpoint.LoadState(latest).Step);
        Assert.Equal(latest, ex.LastCheckpoint);
        using var reloaded = Gpt2Checkpoint.Load(Path.Combine(latest, InjectionCheckpoint.ModelFolder));
        Assert.All(reloaded.parameters(), p => Assert.False(p.isnan().any().item<bool>()));
        using var resumed = InjectionTrainer.Resume(dir["run"], InjectionTestSupport.KlSource(InjectionTask.Dyck));
        Assert.Equal(2, resumed.Step);
    }

    [Fact]
    public void BaselineTrainsWithoutTheAlgorithmLossAndLeavesTheAdapterAlone()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"]);
        var options = InjectionTestSupport.Options("sum", steps: 2) with { Baseline = true };
        using var t = InjectionTrainer.Create(dir["run"], model, options, klSource: InjectionTestSupport.KlSource(InjectionTask.Sum));
        var before = t.Adapter.weight!.clone();
        var losses = t.TrainStep(0);
        Assert.Equal(0, losses.Algorithm);
        Assert.True(losses.Ce > 0 && losses.Kl >= 0);
        Assert.True(t.Adapter.weight!.allclose(before, 0, 0));
    }

    [Fact]
    public void InjectionStepReducesTheAlgorithmLossOnARepeatedBatch()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"], dropout: 0);
        var options = InjectionTestSupport.Options("dyck", steps: 10) with { KlLoss = false, LmLearningRate = 3e-3, AdapterLearningRate = 3e-2 };
        using var t = InjectionTrainer.Create(dir["run"], model, options);
        double first = t.TrainStep(0).Algorithm;
        double last = first;
        for (int i = 0; i < 8; i++) last = t.TrainStep(0).Algorithm;
        Assert.True(last < first, $"algorithm loss {first} → {last}");
    }

    [Fact]
    public void RollWarmupTrainsWithoutDetachAndRollUntilItsStep()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"], dropout: 0);
        var options = InjectionTestSupport.Options("dyck", steps: 10) with { KlLoss = false };
        StepLosses First(string name, InjectionOptions o, long step)
        {
            using var t = InjectionTrainer.Create(dir[name], model, o);
            return t.TrainStep(step);
        }
        var warm = options with { RollWarmupSteps = 5 };
        Assert.False(warm.RollsAt(4));
        Assert.True(warm.RollsAt(5));
        Assert.False((warm with { Baseline = true }).RollsAt(7));
        // Same seed, same batch: before the warm-up ends the step is exactly the no-roll step; after it, the rolled one.
        var noRoll = First("no-roll", options with { DetachAndRoll = false }, 0);
        var rolled = First("rolled", options, 0);
        Assert.Equal(noRoll.Ce, First("warm-early", warm, 0).Ce);
        Assert.NotEqual(noRoll.Ce, rolled.Ce);
        Assert.Equal(First("rolled-6", options, 6).Ce, First("warm-late", warm, 6).Ce);
    }

    [Fact]
    public void ARunFolderCannotBeStartedTwice()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"]);
        var options = InjectionTestSupport.Options("dyck", steps: 1);
        using (InjectionTrainer.Create(dir["run"], model, options, klSource: InjectionTestSupport.KlSource(InjectionTask.Dyck))) { }
        Assert.Throws<IOException>(() => InjectionTrainer.Create(dir["run"], model, options, klSource: InjectionTestSupport.KlSource(InjectionTask.Dyck)));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainAndEvaluateWritesMetricsAndPlots()
    {
        using var dir = new TempFolder();
        string model = InjectionTestSupport.WriteTinyModel(dir["model"], dropout: 0, layers: 3);
        string corpus = InjectionTestSupport.WriteCorpus(dir["corpus"]);
        var options = InjectionTestSupport.Options("dyck", steps: 3, InjectionPreset.Improved) with { CorpusDirectory = corpus };
        using (var t = InjectionTrainer.Create(dir["run"], model, options)) t.Train();
        var m = RunEvaluator.Evaluate(dir["run"]);
        Assert.Equal(["in_distribution", "almost_balanced", "ood_new_token", "length_ood"], m.Accuracy.Keys);
        Assert.All(m.Accuracy.Values, a => Assert.InRange(a, 0, 1));
        Assert.NotNull(m.Perplexity);
        Assert.NotNull(m.Decodability);
        Assert.Equal(1.0, m.Decodability!.TeacherAccuracy); // the dyck teacher is exact
        Assert.Contains("tokens", m.Decodability.Variables.Keys);
        Assert.NotNull(m.Causal);
        Assert.Equal(2, m.Causal!.ResultSubspace.Count);
        Assert.Contains(m.Ablations, a => a.Name == "token_exact_mask" && a.On);
        foreach (var png in new[] { "loss_curves.png", "accuracy.png", "decoding_heatmap.png", "causal_noise.png" })
            Assert.True(new FileInfo(Path.Combine(dir["run"], "plots", png)).Length > 1000, png);
        var back = RunEvaluator.ReadMetrics(dir["run"]);
        Assert.Equal(m.Accuracy, back.Accuracy);
    }
}
