using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Injection.Pretraining;

/// <summary>Raised when the loss or the gradient norm stops being a finite number.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>What <see cref="Pretrainer.Run"/> reports after every step.</summary>
public sealed record PretrainingProgress(long Step, long TotalSteps, double Loss, double SmoothedLoss, double LearningRate,
    double TokensPerSecond, long TokensSeen, double? LastHeldOutLoss, double ElapsedSeconds);

public enum PretrainingStop { Finished, Cancelled }

public sealed record PretrainingResult(PretrainingStop Stop, PretrainingState State, string? LastCheckpoint);

/// <summary>
/// Next-token pretraining of a GPT-2 model on a token stream: AdamW with linear warmup and cosine
/// decay, global-norm gradient clipping, periodic held-out evaluation, atomic checkpoints (model,
/// optimizer, data position, logs) and exact resumption. Batches and learning rates are pure
/// functions of the step number, and dropout is off by default, so a resumed run computes the
/// same updates as an uninterrupted one.
/// </summary>
public sealed class Pretrainer : IDisposable
{
    readonly PretrainingData _data;
    readonly Gpt2Tokenizer _tokenizer;
    readonly BatchSampler _sampler;

    public string OutputDirectory { get; }
    public Gpt2Model Model { get; }
    public AdamW Optimizer { get; }
    public PretrainingState State { get; }
    public string? LastCheckpoint { get; private set; }

    Pretrainer(string outputDirectory, Gpt2Model model, PretrainingState state, PretrainingData data, Gpt2Tokenizer tokenizer)
    {
        OutputDirectory = outputDirectory;
        Model = model;
        State = state;
        _data = data;
        _tokenizer = tokenizer;
        var o = state.Options;
        Optimizer = new AdamW(model.named_parameters(), o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
        _sampler = new BatchSampler(data.TrainTokens, o.ContextLength, o.BatchSize, o.Seed);
        if (data.HeldOutTokens.Length < 2) throw new ArgumentException("The held-out text has fewer than 2 tokens.");
    }

    /// <summary>A new run in <paramref name="outputDirectory"/>, which must not hold checkpoints yet.</summary>
    public static Pretrainer Create(PretrainingOptions options, PretrainingData data, string outputDirectory, Gpt2Tokenizer? tokenizer = null, string? command = null)
    {
        options.Validate();
        if (PretrainingCheckpoint.Latest(outputDirectory) is { } existing)
            throw new IOException($"'{outputDirectory}' already holds a run (checkpoint '{existing}'): continue it with --resume or choose another output folder.");
        tokenizer ??= Gpt2Tokenizer.Create();
        if (tokenizer.VocabSize > options.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens, more than vocab_size {options.VocabSize}.");
        SetThreads(options);
        var model = new Gpt2Model(options.ModelConfig(), options.Seed);
        string? grownFromSha = null;
        if (options.GrowFrom is { } source)
        {
            try
            {
                using var shallow = Gpt2Checkpoint.Load(source);
                Gpt2DepthGrowth.Grow(shallow, model);
                grownFromSha = Corpus.CorpusFiles.Sha256OfFile(Path.Combine(source, Gpt2Checkpoint.SafeTensorsFileName));
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        var state = new PretrainingState
        {
            Options = options,
            TotalSteps = options.TotalSteps,
            TrainSha256 = data.TrainSha256,
            HeldOutSha256 = data.HeldOutSha256,
            TrainTokens = data.TrainTokens.Length,
            HeldOutTokens = data.HeldOutTokens.Length,
            CorpusSource = data.Source,
            GrownFromSha256 = grownFromSha,
            StartedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        if (command is not null) state.Commands.Add(command);
        Directory.CreateDirectory(outputDirectory);
        return new Pretrainer(outputDirectory, model, state, data, tokenizer);
    }

    /// <summary>Continues the run in <paramref name="outputDirectory"/> from its latest checkpoint.</summary>
    /// <param name="newTotalSteps">
    /// Moves the end of the run to this step (at least the current one), e.g. to train a finished
    /// run further: the cosine schedule is recomputed for the new length, so the learning rate rises
    /// again (a warm restart). Recorded in <see cref="PretrainingState.ScheduleChanges"/>.
    /// </param>
    public static Pretrainer Resume(string outputDirectory, PretrainingData data, Gpt2Tokenizer? tokenizer = null, string? command = null, long? newTotalSteps = null)
    {
        var dir = PretrainingCheckpoint.Latest(outputDirectory)
                  ?? throw new DirectoryNotFoundException($"'{outputDirectory}' has no checkpoint to resume from.");
        var state = PretrainingState.Load(Path.Combine(dir, PretrainingCheckpoint.StateFileName));
        if (state.TrainSha256 != data.TrainSha256 || state.HeldOutSha256 != data.HeldOutSha256)
            throw new InvalidDataException(
                $"The corpus differs from the one this run started with (train SHA-256 {Short(data.TrainSha256)} vs {Short(state.TrainSha256)}, " +
                $"held-out {Short(data.HeldOutSha256)} vs {Short(state.HeldOutSha256)}); resume needs the same corpus.");
        tokenizer ??= Gpt2Tokenizer.Create();
        SetThreads(state.Options);
        var model = Gpt2Checkpoint.Load(dir);
        Pretrainer? trainer = null;
        try
        {
            if (model.Config.NLayer != state.Options.NLayer || model.Config.NEmbd != state.Options.NEmbd || model.Config.NPositions != state.Options.ContextLength)
                throw new InvalidDataException($"'{dir}': the model does not have the shape its trainer state records.");
            model.train();
            trainer = new Pretrainer(outputDirectory, model, state, data, tokenizer);
            trainer.Optimizer.Load(Path.Combine(dir, PretrainingCheckpoint.OptimizerFileName));
            if (trainer.Optimizer.Steps != state.Step)
                throw new InvalidDataException($"'{dir}': optimizer has {trainer.Optimizer.Steps} steps, trainer state {state.Step}.");
            trainer.LastCheckpoint = dir;
            if (command is not null) state.Commands.Add(command);
            if (newTotalSteps is { } total && total != state.TotalSteps)
            {
                if (total < state.Step)
                    throw new ArgumentException($"The run is at step {state.Step}; it cannot end at step {total}.");
                state.ScheduleChanges.Add(new ScheduleChange(state.Step, state.TotalSteps, total));
                state.TotalSteps = total;
                state.FinalHeldOutLoss = null;
                state.FinalHeldOutPredictions = null;
            }
            return trainer;
        }
        catch
        {
            if (trainer is not null) trainer.Dispose(); else model.Dispose();
            throw;
        }
    }

    static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    static void SetThreads(PretrainingOptions o)
    {
        torch.set_num_threads(o.Threads ?? Environment.ProcessorCount);
        Models.Native.GlibcAllocator.KeepFreedMemory();
    }

    public double LearningRate(long step) =>
        LearningRateSchedule.At(step, State.TotalSteps > 0 ? State.TotalSteps : long.MaxValue / 4, State.Options);

    /// <summary>
    /// Trains until the total step count (choosing it from the time budget first when needed) or
    /// until <paramref name="cancel"/> fires; either way the last state is checkpointed.
    /// </summary>
    public PretrainingResult Run(CancellationToken cancel = default, Action<PretrainingProgress>? progress = null, Action<string>? log = null)
    {
        var o = State.Options;
        var parameters = Model.parameters().ToList();
        Model.train();
        var clock = Stopwatch.StartNew();
        double baseElapsed = State.ElapsedSeconds;
        double lastCheckpointAt = 0;
        double intervalLoss = 0;
        int intervalSteps = 0;
        double intervalStart = 0;
        double smoothed = double.NaN;
        double? lastEval = State.EvalLog.Count > 0 ? State.EvalLog[^1].Loss : null;
        long calibrationStart = State.Step + 1;
        int calibrationSteps = Math.Clamp(o.WarmupSteps / 2, 3, 20);
        double calibrationStartTime = 0;
        bool adaptive = o.Minutes is not null && o.TotalSteps == 0 && State.ScheduleChanges.Count == 0;
        double horizonTime = 0;
        long horizonStep = State.Step;

        if (State.Step == 0 && State.EvalLog.Count == 0)
        {
            lastEval = Evaluate(maxWindows: o.EvalSequences);
            log?.Invoke($"step 0: held-out loss {lastEval:F4}");
        }

        while (!State.Finished)
        {
            if (cancel.IsCancellationRequested)
            {
                State.ElapsedSeconds = baseElapsed + clock.Elapsed.TotalSeconds;
                Checkpoint(log);
                return new PretrainingResult(PretrainingStop.Cancelled, State, LastCheckpoint);
            }
            long step = State.Step;
            double lr = LearningRate(step);
            double loss = TrainStep(step, lr, parameters);
            State.Step++;
            State.TokensSeen += o.TokensPerStep;
            double now = clock.Elapsed.TotalSeconds;
            State.ElapsedSeconds = baseElapsed + now;
            intervalLoss += loss;
            intervalSteps++;
            smoothed = double.IsNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;

            if (State.TotalSteps == 0 && State.Step == calibrationStart) calibrationStartTime = now;
            if (State.TotalSteps == 0 && State.Step == calibrationStart + calibrationSteps)
            {
                ChooseTotalSteps((now - calibrationStartTime) / calibrationSteps, measuredWithOverhead: false, log);
                horizonTime = now;
                horizonStep = State.Step;
            }
            else if (adaptive && State.TotalSteps > 0 && now - horizonTime >= HorizonRefreshSeconds && State.Step < 0.6 * State.TotalSteps)
            {
                // The machine's speed changes (other work on the cores): re-fit the step count to the
                // time left while the schedule is still near its peak, where moving the end is harmless.
                ChooseTotalSteps((now - horizonTime) / (State.Step - horizonStep), measuredWithOverhead: true, log);
                horizonTime = now;
                horizonStep = State.Step;
            }

            if (State.Step % o.LogInterval == 0 || State.Finished)
            {
                double span = Math.Max(1e-9, now - intervalStart);
                State.TrainLog.Add(new TrainLogPoint(State.Step, State.TokensSeen, intervalLoss / intervalSteps, lr, State.ElapsedSeconds,
                    intervalSteps * o.TokensPerStep / span));
                intervalLoss = 0;
                intervalSteps = 0;
                intervalStart = now;
            }
            if (o.EvalInterval > 0 && State.Step % o.EvalInterval == 0 && !State.Finished)
            {
                lastEval = Evaluate(maxWindows: o.EvalSequences);
                log?.Invoke($"step {State.Step}: held-out loss {lastEval:F4} (train {smoothed:F4}, lr {lr:G3})");
            }
            double tokensPerSecond = State.TrainLog.Count > 0 ? State.TrainLog[^1].TokensPerSecond : 0;
            progress?.Invoke(new PretrainingProgress(State.Step, State.TotalSteps, loss, smoothed, lr, tokensPerSecond, State.TokensSeen, lastEval, State.ElapsedSeconds));

            bool byStep = o.CheckpointInterval > 0 && State.Step % o.CheckpointInterval == 0;
            bool byTime = o.CheckpointMinutes > 0 && now - lastCheckpointAt >= o.CheckpointMinutes * 60;
            if ((byStep || byTime) && !State.Finished)
            {
                Checkpoint(log);
                lastCheckpointAt = clock.Elapsed.TotalSeconds;
            }
        }

        var final = LanguageModelScoring.Score(Model, _data.HeldOutTokens);
        State.FinalHeldOutLoss = final.MeanLoss;
        State.FinalHeldOutPredictions = final.TokenCount;
        if (State.EvalLog.Count == 0 || State.EvalLog[^1].Step != State.Step)
            State.EvalLog.Add(new EvalPoint(State.Step, State.TokensSeen, final.MeanLoss, final.TokenCount));
        log?.Invoke($"finished {State.Step} steps: held-out loss {final.MeanLoss:F4} (perplexity {final.Perplexity:F2}) over {final.TokenCount} tokens");
        State.ElapsedSeconds = baseElapsed + clock.Elapsed.TotalSeconds;
        Checkpoint(log);
        return new PretrainingResult(PretrainingStop.Finished, State, LastCheckpoint);
    }

    /// <summary>Seconds between re-estimates of the step count in a time-budgeted run.</summary>
    const double HorizonRefreshSeconds = 180;

    /// <summary>
    /// Sets the step count so the run fits the time budget. With <paramref name="measuredWithOverhead"/>
    /// the rate already includes evaluations and checkpoints; otherwise they are estimated
    /// (an evaluation window costs about a third of a training sequence) and 3% is kept for the rest.
    /// Time-budgeted runs therefore depend on the machine's speed; step-count runs are exactly reproducible.
    /// </summary>
    void ChooseTotalSteps(double secondsPerStep, bool measuredWithOverhead, Action<string>? log)
    {
        var o = State.Options;
        State.MeasuredSecondsPerStep = secondsPerStep;
        double budget = (o.Minutes ?? 0) * 60;
        double evalsPerStep = o.EvalInterval > 0 ? 1.0 / o.EvalInterval : 0;
        double overhead = measuredWithOverhead ? 0 : evalsPerStep * o.EvalSequences / (double)o.BatchSize / 3;
        double remaining = budget * 0.97 - State.ElapsedSeconds;
        long more = (long)Math.Floor(remaining / (secondsPerStep * (1 + overhead)));
        long previous = State.TotalSteps;
        State.TotalSteps = Math.Max(State.Step + 1, State.Step + more);
        log?.Invoke($"{(previous == 0 ? "measured" : "re-measured")} {secondsPerStep:F3} s/step ({o.TokensPerStep / secondsPerStep:F0} tokens/s): " +
                    $"{State.TotalSteps} steps fit {o.Minutes} minutes" + (previous == 0 ? "" : $" (was {previous})"));
    }

    double TrainStep(long step, double lr, IList<TorchSharp.Modules.Parameter> parameters)
    {
        var o = State.Options;
        var (inputs, targets) = _sampler.Batch(step);
        var (loss, norm) = Step(Model, Optimizer, parameters, inputs, targets, o.BatchSize, o.ContextLength, lr, o.GradientClip, o.BFloat16Unembedding);
        if (!double.IsFinite(loss))
            throw Diverged($"the training loss is {Describe(loss)} at step {step}", lr);
        if (!double.IsFinite(norm))
            throw Diverged($"the gradient norm is {Describe(norm)} at step {step}", lr);
        return loss;
    }

    /// <summary>
    /// One optimizer step on a batch ([batch × length] inputs and next-token targets): forward,
    /// mean cross-entropy, backward, global-norm clipping (when <paramref name="clip"/> &gt; 0), AdamW
    /// update. Returns the loss before the update and the gradient norm before clipping (0 without
    /// clipping). A non-finite loss is returned without updating anything.
    /// </summary>
    public static (double Loss, double GradientNorm) Step(Gpt2Model model, AdamW optimizer, IList<TorchSharp.Modules.Parameter> parameters,
        long[] inputs, long[] targets, int batch, int length, double lr, double clip, bool bfloat16Unembedding)
    {
        using var scope = NewDisposeScope();
        var x = torch.tensor(inputs, new long[] { batch, length });
        var y = torch.tensor(targets, new long[] { (long)batch * length });
        using var output = model.Forward(x, new Gpt2ForwardOptions { UnembeddingType = bfloat16Unembedding ? ScalarType.BFloat16 : null });
        var loss = F.cross_entropy(output.Logits!.view(-1, model.Config.VocabSize).to_type(ScalarType.Float32), y);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            optimizer.ZeroGrad();
            return (value, double.NaN);
        }
        loss.backward();
        double norm = clip > 0 ? nn.utils.clip_grad_norm_(parameters, clip) : 0;
        if (!double.IsFinite(norm))
        {
            optimizer.ZeroGrad();
            return (value, norm);
        }
        optimizer.Step(lr);
        optimizer.ZeroGrad();
        return (value, norm);
    }

    static string Describe(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";

    TrainingDivergedException Diverged(string what, double lr) => new(
        $"Training diverged: {what} (learning rate {lr:G3}). " +
        (LastCheckpoint is not null
            ? $"The last good checkpoint is '{LastCheckpoint}' (step {CheckpointStep()}); resume from it or restart with a lower --lr."
            : "No checkpoint was written yet; restart with a lower --lr."));

    long CheckpointStep()
    {
        if (LastCheckpoint is null) return 0;
        var name = Path.GetFileName(LastCheckpoint);
        return long.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
    }

    double Evaluate(int? maxWindows)
    {
        var result = LanguageModelScoring.Score(Model, _data.HeldOutTokens, maxWindows: maxWindows);
        State.EvalLog.Add(new EvalPoint(State.Step, State.TokensSeen, result.MeanLoss, result.TokenCount));
        Model.train();
        return result.MeanLoss;
    }

    void Checkpoint(Action<string>? log)
    {
        LastCheckpoint = PretrainingCheckpoint.Save(OutputDirectory, Model, Optimizer, State, _tokenizer, State.Options.KeepCheckpoints);
        log?.Invoke($"checkpoint {LastCheckpoint}");
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
