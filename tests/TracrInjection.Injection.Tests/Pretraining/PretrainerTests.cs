using TorchSharp;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Tests.Pretraining;

public class PretrainerTests
{
    [Fact]
    public void Loss_decreases_on_a_tiny_corpus()
    {
        using var dir = new TempFolder();
        using var trainer = Pretrainer.Create(TinyRun.Options(60), TinyRun.Data(), dir.Path);
        var result = trainer.Run();

        Assert.Equal(PretrainingStop.Finished, result.Stop);
        Assert.Equal(60, result.State.Step);
        Assert.Equal(60L * 4 * 16, result.State.TokensSeen);
        var log = result.State.TrainLog;
        Assert.True(log[0].Loss > 10, $"initial loss {log[0].Loss} should be near ln(50257) ≈ 10.8");
        Assert.True(log[^1].Loss < log[0].Loss - 4, $"train loss went from {log[0].Loss} to {log[^1].Loss}");
        Assert.True(result.State.FinalHeldOutLoss < result.State.EvalLog[0].Loss - 2,
            $"held-out loss went from {result.State.EvalLog[0].Loss} to {result.State.FinalHeldOutLoss}");
        Assert.Equal(PretrainingCheckpoint.FolderName(60), Path.GetFileName(result.LastCheckpoint));
    }

    [Fact]
    public void A_resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var dir = new TempFolder();
        var data = TinyRun.Data();
        var options = TinyRun.Options(16);

        string straight;
        using (var a = Pretrainer.Create(options, data, dir["a"]))
            straight = a.Run().LastCheckpoint!;

        using (var cts = new CancellationTokenSource())
        using (var b = Pretrainer.Create(options, data, dir["b"]))
        {
            var stopped = b.Run(cts.Token, p => { if (p.Step == 7) cts.Cancel(); });
            Assert.Equal(PretrainingStop.Cancelled, stopped.Stop);
            Assert.Equal(7, stopped.State.Step);
        }
        string resumed;
        using (var b = Pretrainer.Resume(dir["b"], data))
        {
            Assert.Equal(7, b.State.Step);
            Assert.Equal(7, b.Optimizer.Steps);
            resumed = b.Run().LastCheckpoint!;
        }

        Assert.Equal(TinyRun.Bytes(Path.Combine(straight, "model.safetensors")), TinyRun.Bytes(Path.Combine(resumed, "model.safetensors")));
        Assert.Equal(TinyRun.Bytes(Path.Combine(straight, "optimizer.safetensors")), TinyRun.Bytes(Path.Combine(resumed, "optimizer.safetensors")));
        var sa = PretrainingState.Load(Path.Combine(straight, PretrainingCheckpoint.StateFileName));
        var sb = PretrainingState.Load(Path.Combine(resumed, PretrainingCheckpoint.StateFileName));
        Assert.Equal(sa.FinalHeldOutLoss, sb.FinalHeldOutLoss);
        Assert.Equal(sa.TokensSeen, sb.TokensSeen);
    }

    [Fact]
    public void A_finished_run_can_be_extended_with_a_recomputed_schedule()
    {
        using var dir = new TempFolder();
        var data = TinyRun.Data();
        using (var first = Pretrainer.Create(TinyRun.Options(8), data, dir.Path))
            Assert.True(first.Run().State.Finished);

        Assert.Throws<ArgumentException>(() => Pretrainer.Resume(dir.Path, data, newTotalSteps: 5));
        using var more = Pretrainer.Resume(dir.Path, data, command: "tracr-inject pretrain --resume --steps 12", newTotalSteps: 12);
        Assert.False(more.State.Finished);
        Assert.Null(more.State.FinalHeldOutLoss);
        Assert.Equal(new ScheduleChange(8, 8, 12), Assert.Single(more.State.ScheduleChanges));
        Assert.Equal(LearningRateSchedule.At(8, 12, more.State.Options), more.LearningRate(8));
        var result = more.Run();
        Assert.Equal(12, result.State.Step);
        Assert.NotNull(result.State.FinalHeldOutLoss);
        Assert.Equal(2, PretrainingState.Load(Path.Combine(result.LastCheckpoint!, PretrainingCheckpoint.StateFileName)).EvalLog.Count(e => e.Step is 8 or 12));
        Assert.Contains("tracr-inject pretrain --resume --steps 12", result.State.Commands);
    }

    [Fact]
    public void A_nan_loss_stops_training_with_a_clear_message()
    {
        using var dir = new TempFolder();
        using var trainer = Pretrainer.Create(TinyRun.Options(10), TinyRun.Data(), dir.Path);
        using (no_grad()) trainer.Model.Blocks[0].Mlp.InputProjection.Weight.fill_(double.NaN);

        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("Training diverged", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Contains("step 0", ex.Message);
        Assert.Contains("lower --lr", ex.Message);
    }

    [Fact]
    public void An_exploding_learning_rate_is_caught_as_divergence()
    {
        using var dir = new TempFolder();
        var options = TinyRun.Options(200) with { PeakLearningRate = 1e30, WarmupSteps = 0, GradientClip = 0, WeightDecay = 0 };
        using var trainer = Pretrainer.Create(options, TinyRun.Data(), dir.Path);
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Matches("(NaN|infinity)", ex.Message);
    }

    [Fact]
    public void Checkpoints_are_hugging_face_folders_and_old_ones_are_pruned()
    {
        using var dir = new TempFolder();
        var options = TinyRun.Options(8) with { CheckpointInterval = 2, KeepCheckpoints = 2 };
        using (var trainer = Pretrainer.Create(options, TinyRun.Data(), dir.Path)) trainer.Run();

        string root = Path.Combine(dir.Path, PretrainingCheckpoint.CheckpointsFolder);
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "step-00000006", "step-00000008" }, folders);
        Assert.Equal("step-00000008", File.ReadAllText(Path.Combine(root, PretrainingCheckpoint.LatestFile)).Trim());
        string latest = PretrainingCheckpoint.Latest(dir.Path)!;
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.json", "merges.txt", "optimizer.safetensors", "trainer_state.json" })
            Assert.True(File.Exists(Path.Combine(latest, f)), f);
        using var model = Gpt2Checkpoint.Load(latest);
        Assert.Equal(16, model.Config.NPositions);
    }

    [Fact]
    public void Latest_falls_back_to_the_newest_complete_folder_when_the_pointer_is_stale()
    {
        using var dir = new TempFolder();
        using (var trainer = Pretrainer.Create(TinyRun.Options(4) with { CheckpointInterval = 2 }, TinyRun.Data(), dir.Path)) trainer.Run();
        string root = Path.Combine(dir.Path, PretrainingCheckpoint.CheckpointsFolder);
        File.WriteAllText(Path.Combine(root, PretrainingCheckpoint.LatestFile), "step-00000099\n");
        Assert.Equal("step-00000004", Path.GetFileName(PretrainingCheckpoint.Latest(dir.Path)));
    }

    [Fact]
    public void Starting_over_an_existing_run_or_resuming_on_another_corpus_is_refused()
    {
        using var dir = new TempFolder();
        var data = TinyRun.Data();
        using (var trainer = Pretrainer.Create(TinyRun.Options(2), data, dir.Path)) trainer.Run();

        var again = Assert.Throws<IOException>(() => Pretrainer.Create(TinyRun.Options(2), data, dir.Path));
        Assert.Contains("--resume", again.Message);

        var other = PretrainingData.FromDocuments(["Something else entirely, for a change of corpus."], TinyRun.HeldOutDocuments,
            Models.Tokenization.Gpt2Tokenizer.Create());
        var changed = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(dir.Path, other));
        Assert.Contains("corpus differs", changed.Message);

        Assert.Throws<DirectoryNotFoundException>(() => Pretrainer.Resume(dir["nothing-here"], data));
    }

    [Fact]
    public void A_time_budget_fixes_the_step_count_after_measuring()
    {
        using var dir = new TempFolder();
        var options = TinyRun.Options(0) with { Minutes = 0.05, WarmupSteps = 6 };
        using var trainer = Pretrainer.Create(options, TinyRun.Data(), dir.Path);
        var result = trainer.Run();
        Assert.True(result.State.TotalSteps >= 4, $"total steps {result.State.TotalSteps}");
        Assert.Equal(result.State.TotalSteps, result.State.Step);
        Assert.NotNull(result.State.MeasuredSecondsPerStep);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => (TinyRun.Options(0)).Validate());
        Assert.Throws<ArgumentException>(() => (TinyRun.Options(5) with { PeakLearningRate = double.NaN }).Validate());
        Assert.Throws<InvalidDataException>(() => (TinyRun.Options(5) with { NEmbd = 15 }).Validate());
        Assert.Throws<ArgumentException>(() => (TinyRun.Options(5) with { BatchSize = 0 }).Validate());
    }
}
