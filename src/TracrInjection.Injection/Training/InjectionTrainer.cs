using F = TorchSharp.torch.nn.functional;
using System.Diagnostics;
using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Losses;
using TracrInjection.Injection.Optimisation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Training;

/// <summary>
/// Tracr-injection training (paper.md §2): per step, one supervised batch (answer CE, plus the algorithm loss through
/// the adapter with detach-and-roll at block L unless this is the baseline) and one unsupervised batch (KL to a frozen
/// copy of the starting model); AdamW with separate LM and adapter learning rates. The teacher's residual streams
/// are computed once per batch in one forward pass of the compiled model (every layer boundary at once).
/// Checkpoints every <see cref="InjectionOptions.CheckpointInterval"/> steps; <see cref="Resume"/> continues a killed
/// run to the same result. A NaN or infinite loss stops the run before the update (<see cref="InjectionDivergedException"/>).
/// </summary>
public sealed class InjectionTrainer : IDisposable
{
    private readonly TrainBatcher _trainBatches;
    private readonly KlBatcher? _klBatches;
    private readonly long[] _outputDims;
    private double _trainingSeconds;

    public RunFolder Run { get; private set; }
    public InjectionOptions Options => Run.Config.Options;
    public InjectionTask Task { get; }
    public TaskDataset Data { get; }
    public CompiledModel Teacher { get; }
    public CompiledTransformer TeacherRuntime { get; }
    public LayerAlignment Alignment { get; }
    public Gpt2Model Model { get; }
    public Gpt2Model? Frozen { get; }
    public Linear Adapter { get; }
    public GroupedAdamW Optimizer { get; }
    public Gpt2Tokenizer Tokenizer { get; }
    public TokenTranslator Translator { get; }
    /// <summary>How the teacher reads a batch (the whole sequence for the paper's tasks, the input window for program tasks).</summary>
    public TeacherInput Input { get; }
    public SupervisedBatchBuilder Builder { get; }
    public long Step { get; private set; }
    public string? LastCheckpoint { get; private set; }

    /// <summary>Test hook: replaces the total loss of a step (to provoke divergence).</summary>
    internal Func<long, double, double>? LossOverride { get; set; }

    private InjectionTrainer(RunFolder run, IKlTextSource? klSource, string? checkpoint)
    {
        Run = run;
        var o = run.Config.Options;
        o.Validate();
        // libtorch frees and reallocates the same large buffers (logits, embedding gradients) every step; glibc would
        // unmap and re-fault them each time, which makes a step several times slower on a small machine.
        Models.Native.GlibcAllocator.KeepFreedMemory();
        if (o.Threads is { } threads) torch.set_num_threads(threads);
        Task = o.TaskDefinition;
        Data = Task.BuildData(o.Data with { Seed = o.Seed }, o.Fixes);
        Teacher = Task.Teacher(o.EffectiveTeacherMaxSeqLen, o.Fixes.RepairTracrBugs);
        var device = ResolveDevice(o.Device);
        TeacherRuntime = new CompiledTransformer(Teacher, device);
        Tokenizer = Gpt2Tokenizer.Create(Task.TokenizerVariant(o.Fixes), run.Config.ModelDirectory);

        Model = Gpt2Checkpoint.Load(checkpoint is null ? run.Config.ModelDirectory : Path.Combine(checkpoint, InjectionCheckpoint.ModelFolder), device);
        Alignment = LayerAlignment.For(Teacher, Model.Config.NLayer, o.LayerMapping);
        Translator = new TokenTranslator(Task.Translator(o.Fixes), Tokenizer, Teacher, Model.Config.VocabSize);
        Input = Task.TeacherInputFor(Translator, Tokenizer, Teacher);
        _outputDims = InjectionTask.OutputVariable(Teacher).Dims.Select(d => (long)d).ToArray();

        int padId = PadId(Tokenizer, Model.Config);
        Builder = new SupervisedBatchBuilder(Tokenizer, padId, o.EffectiveMaxLength, o.Fixes.TokenExactMask);
        _trainBatches = new TrainBatcher(Data.Train, o.BatchSize, o.Seed);

        if (o.KlLoss)
        {
            Frozen = Gpt2Checkpoint.Load(run.Config.ModelDirectory, device);
            foreach (var p in Frozen.parameters()) p.requires_grad = false;
            klSource ??= HeldOutCorpus.Load(o.CorpusDirectory).KlSource(Tokenizer, o.KlSequenceLength, o.KlAllWindows);
            _klBatches = new KlBatcher(klSource, o.EffectiveKlBatchSize, o.KlSequenceLength, padId, o.Seed);
        }

        torch.random.manual_seed(Seeds.Derive(o.Seed, "adapter"));
        Adapter = nn.Linear(Model.Config.NEmbd, Teacher.ResidualWidth, hasBias: true);
        Adapter.to(device);
        torch.random.manual_seed(Seeds.Derive(o.Seed, "dropout"));

        Optimizer = new GroupedAdamW(o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
        if (!o.TrainEmbeddings)
        {
            Model.TokenEmbedding.weight!.requires_grad = false;
            Model.PositionEmbedding.weight!.requires_grad = false;
        }
        Optimizer.AddGroup("lm", o.LmLearningRate, Model.named_parameters().Select(p => (p.name, p.parameter)));
        if (o.AlgorithmLoss) Optimizer.AddGroup("adapter", o.AdapterLearningRate, Adapter.named_parameters().Select(p => (p.name, p.parameter)));

        if (checkpoint is not null)
        {
            InjectionCheckpoint.LoadAdapter(Adapter, Path.Combine(checkpoint, InjectionCheckpoint.AdapterFile));
            Optimizer.Load(Path.Combine(checkpoint, InjectionCheckpoint.OptimizerFile));
            var state = InjectionCheckpoint.LoadState(checkpoint);
            Step = state.Step;
            _trainingSeconds = state.TrainingSeconds;
            if (state.RngState is not null) InjectionCheckpoint.SetRngState(state.RngState);
            LastCheckpoint = checkpoint;
        }
    }

    /// <summary>"cpu", "cuda" or "cuda:N" as a torch device, with a clear message when it is not available.</summary>
    public static Device ResolveDevice(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
            throw new ArgumentException($"device '{name}' is not available: this build uses TorchSharp-cpu (swap in TorchSharp-cuda-linux for GPUs)");
        return torch.device(name);
    }

    /// <summary>The padding id: the tokenizer's &lt;|endoftext|&gt; (GPT-2's pad = eos), or the model's eos for small vocabularies.</summary>
    public static int PadId(Gpt2Tokenizer tokenizer, Gpt2Config config) =>
        tokenizer.EndOfTextId >= 0 && tokenizer.EndOfTextId < config.VocabSize ? tokenizer.EndOfTextId : Math.Min(config.EosTokenId, config.VocabSize - 1);

    /// <summary>Starts a new run in <paramref name="runDirectory"/> from the model in <paramref name="modelDirectory"/>.</summary>
    public static InjectionTrainer Create(string runDirectory, string modelDirectory, InjectionOptions options, string? modelName = null,
        IKlTextSource? klSource = null, string? command = null)
    {
        options.Validate();
        string model = Path.GetFullPath(modelDirectory);
        if (!File.Exists(Path.Combine(model, Gpt2Checkpoint.ConfigFileName)))
            throw new DirectoryNotFoundException($"'{modelDirectory}' is not a model folder (no {Gpt2Checkpoint.ConfigFileName})");
        var run = RunFolder.Create(runDirectory, new RunConfig
        {
            Options = options, ModelDirectory = model, ModelName = modelName ?? modelDirectory, Command = command,
        });
        try
        {
            return new InjectionTrainer(run, klSource, null);
        }
        catch
        {
            // A run that could not start leaves no half-made folder behind that would block a retry.
            try { File.Delete(run.ConfigPath); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its latest checkpoint (or from the start when it has none).</summary>
    public static InjectionTrainer Resume(string runDirectory, IKlTextSource? klSource = null, long? steps = null)
    {
        var run = RunFolder.Open(runDirectory);
        if (steps is { } s && s != run.Config.Options.Steps)
            run = run.WithConfig(run.Config with { Options = run.Config.Options with { Steps = s } });
        string? checkpoint = run.LatestCheckpoint();
        run.TruncateLog(checkpoint is null ? 0 : InjectionCheckpoint.LoadState(checkpoint).Step);
        return new InjectionTrainer(run, klSource, checkpoint);
    }

    /// <summary>Trains until <see cref="InjectionOptions.Steps"/>, writing checkpoints; a final checkpoint at the end.</summary>
    public InjectionTrainingResult Train(CancellationToken cancel = default, Action<InjectionProgress>? progress = null, bool checkpointOnCancel = true)
    {
        var o = Options;
        var clock = Stopwatch.StartNew();
        double startSeconds = _trainingSeconds;
        long startStep = Step;
        double windowStart = 0;
        long windowSteps = 0, windowTokens = 0;
        StepLosses? sum = null;
        while (Step < o.Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                _trainingSeconds = startSeconds + clock.Elapsed.TotalSeconds;
                if (checkpointOnCancel && Step > startStep) SaveCheckpoint(finished: false);
                return new InjectionTrainingResult(InjectionStop.Cancelled, Step, LastCheckpoint, _trainingSeconds);
            }
            var losses = TrainStep(Step);
            Step++;
            windowSteps++;
            windowTokens += losses.Tokens;
            sum = sum is null ? losses : new StepLosses(sum.Ce + losses.Ce, sum.Kl + losses.Kl, sum.Algorithm + losses.Algorithm, sum.Tokens + losses.Tokens);

            bool log = Step % o.LogInterval == 0 || Step == o.Steps;
            double? valAcc = o.ValidationInterval > 0 && (Step % o.ValidationInterval == 0 || Step == o.Steps) ? ValidationAccuracy() : null;
            double now = clock.Elapsed.TotalSeconds;
            double sps = windowSteps / Math.Max(1e-9, now - windowStart), tps = windowTokens / Math.Max(1e-9, now - windowStart);
            if (log || valAcc is not null)
            {
                var mean = new StepLosses(sum!.Ce / windowSteps, sum.Kl / windowSteps, sum.Algorithm / windowSteps, sum.Tokens);
                Run.AppendLog(new TrainingLogEntry
                {
                    Step = Step, Ce = mean.Ce, Kl = mean.Kl, Algorithm = mean.Algorithm, Total = mean.Total,
                    StepsPerSecond = sps, TokensPerSecond = tps, ValidationAccuracy = valAcc,
                });
                progress?.Invoke(new InjectionProgress(Step, o.Steps, mean, sps, tps, valAcc));
                sum = null;
                windowSteps = 0;
                windowTokens = 0;
                windowStart = now;
            }
            else
            {
                progress?.Invoke(new InjectionProgress(Step, o.Steps, losses, sps, tps, null));
            }
            _trainingSeconds = startSeconds + clock.Elapsed.TotalSeconds;
            if (o.CheckpointInterval > 0 && Step % o.CheckpointInterval == 0 && Step < o.Steps) SaveCheckpoint(finished: false);
        }
        _trainingSeconds = startSeconds + clock.Elapsed.TotalSeconds;
        if (LastCheckpoint is null || InjectionCheckpoint.LoadState(LastCheckpoint).Step != Step || !InjectionCheckpoint.LoadState(LastCheckpoint).Finished)
            SaveCheckpoint(finished: true);
        return new InjectionTrainingResult(InjectionStop.Finished, Step, LastCheckpoint, _trainingSeconds);
    }

    /// <summary>Ends the run at the current step (for example when a time budget ran out): the config's step count becomes the current step and a final checkpoint is written.</summary>
    public string EndHere()
    {
        if (Step < 1) throw new InvalidOperationException("no step was trained yet");
        Run = Run.WithConfig(Run.Config with { Options = Run.Config.Options with { Steps = Step } });
        return SaveCheckpoint(finished: true);
    }

    public string SaveCheckpoint(bool finished)
    {
        var state = new TrainerState
        {
            Step = Step, RngState = InjectionCheckpoint.GetRngState(), TrainingSeconds = _trainingSeconds, Finished = finished,
        };
        LastCheckpoint = InjectionCheckpoint.Save(Run.Root, Model, Adapter, Optimizer, state, Tokenizer, Options.KeepCheckpoints);
        return LastCheckpoint;
    }

    /// <summary>
    /// The compiled teacher's residuals after each aligned layer count, as targets at the LM's positions (BOS dropped;
    /// program tasks: zeros outside the input window): [B, T, D] each. One forward pass of the compiled model per batch.
    /// </summary>
    public IReadOnlyList<Tensor> TeacherResiduals(Tensor lmIds) => TeacherResiduals(lmIds, Input.Prepare(lmIds));

    private IReadOnlyList<Tensor> TeacherResiduals(Tensor lmIds, PreparedTeacherInput input)
    {
        using var scope = NewDisposeScope();
        var compiledIds = input.CompiledIds;
        if (compiledIds.shape[1] > Teacher.MaxSeqLen + 1)
            throw new InvalidOperationException($"a supervised sequence of {lmIds.shape[1]} tokens does not fit the teacher " +
                $"(compiled for {Teacher.MaxSeqLen} positions); lower --max-length or compile the teacher for more positions");
        // Targets are residuals as floats: the batched pass (1e-7 rounding differences) is fine and far cheaper than row by row.
        using var forward = TeacherRuntime.ForwardBatched(compiledIds, captureStages: true);
        var result = Alignment.CompiledLayers.Select(i => Input.Targets(forward.Residuals[2 * i], lmIds.shape[1]).contiguous().MoveToOuterDisposeScope()).ToList();
        return result;
    }

    /// <summary>One optimizer step on batch <paramref name="step"/>; returns the loss terms.</summary>
    public StepLosses TrainStep(long step)
    {
        var o = Options;
        var clock = Stopwatch.StartNew();
        double teacherSeconds = 0;
        using var scope = NewDisposeScope();
        Model.train();
        Frozen?.train(o.FrozenModelTrainMode);
        var device = Model.TokenEmbedding.weight!.device;

        var batch = Builder.Build(_trainBatches.Batch(step));
        var ids = tensor(batch.Ids, [batch.BatchSize, batch.Length], ScalarType.Int64).to(device);

        Tensor? projector = o.RollsAt(step) ? DetachAndRoll.Projector(Adapter.weight!, o.OnlyResultSubspace ? _outputDims : AllRows()) : null;
        int rollBlock = Alignment.RollBlock;
        var output = Model.Forward(ids, new Gpt2ForwardOptions
        {
            OutputHiddenStates = o.AlgorithmLoss,
            SkipLogits = true,
            BlockHook = projector is null ? null : (i, h) => i == rollBlock ? DetachAndRoll.Apply(h, projector) : h,
        });

        // Answer CE on the selected positions only (the unembedding of every position would dominate the step).
        Tensor ce;
        if (batch.CePositions.Length == 0) ce = zeros([], ScalarType.Float32, device);
        else
        {
            long d = Model.Config.NEmbd;
            var flat = output.LastHiddenState.reshape(-1, d);
            var selected = flat.index_select(0, tensor(batch.CePositions, ScalarType.Int64, device));
            var logits = F.linear(selected, Model.TokenEmbedding.weight!);
            ce = InjectionLosses.AnswerCrossEntropy(logits, tensor(batch.CeTargets, ScalarType.Int64, device));
        }

        Tensor algorithm = zeros([], ScalarType.Float32, device);
        if (o.AlgorithmLoss)
        {
            double t0 = clock.Elapsed.TotalSeconds;
            var input = Input.Prepare(ids);
            var targets = TeacherResiduals(ids, input);
            teacherSeconds = clock.Elapsed.TotalSeconds - t0;
            var adapted = Alignment.HiddenIndices.Select(j => Adapter.forward(output.HiddenStates![j])).ToList();
            var mask = o.Fixes.AlignRealTokensOnly ? tensor(batch.RealMask, [batch.BatchSize, batch.Length], ScalarType.Float32).to(device) : null;
            if (input.Mask is { } window) mask = mask is null ? window : mask * window; // program tasks: the input positions only
            algorithm = InjectionLosses.AlgorithmLoss(adapted, targets, o.AlgorithmLossMultiplier, mask);
        }

        double supervisedSeconds = clock.Elapsed.TotalSeconds - teacherSeconds;
        Tensor kl = zeros([], ScalarType.Float32, device);
        int klTokens = 0;
        if (_klBatches is not null)
        {
            var klIds = tensor(_klBatches.Batch(step), [o.EffectiveKlBatchSize, o.KlSequenceLength], ScalarType.Int64).to(device);
            Tensor originalLogits;
            using (no_grad())
            {
                using var orig = Frozen!.Forward(klIds);
                originalLogits = orig.Logits!.detach();
            }
            using var current = Model.Forward(klIds);
            kl = InjectionLosses.KlDivergence(current.Logits!, originalLogits);
            klTokens = o.EffectiveKlBatchSize * o.KlSequenceLength;
        }

        var total = ce + kl + algorithm;
        double klSeconds = clock.Elapsed.TotalSeconds - teacherSeconds - supervisedSeconds;
        double ceV = ce.item<float>(), klV = kl.item<float>(), algV = algorithm.item<float>();
        double totalV = total.item<float>();
        if (LossOverride is not null) totalV = LossOverride(step, totalV);
        if (!double.IsFinite(totalV) || !double.IsFinite(ceV) || !double.IsFinite(klV) || !double.IsFinite(algV))
        {
            string where = LastCheckpoint is null ? "no checkpoint was written yet" : $"the last good checkpoint is '{LastCheckpoint}' (resume with --resume)";
            throw new InjectionDivergedException(
                $"training diverged at step {step + 1}: loss is {totalV} (ce {ceV}, kl {klV}, algorithm {algV}); stopped before the update; {where}. " +
                "Lower the learning rates.", step + 1, LastCheckpoint);
        }

        Optimizer.ZeroGrad();
        Adapter.zero_grad();
        double beforeBackward = clock.Elapsed.TotalSeconds;
        total.backward();
        if (o.GradientClip > 0) nn.utils.clip_grad_norm_(Optimizer.Parameters, o.GradientClip);
        double backwardSeconds = clock.Elapsed.TotalSeconds - beforeBackward;
        Optimizer.Step(o.WarmupSteps > 0 ? Math.Min(1.0, (step + 1.0) / o.WarmupSteps) : 1.0);
        output.Dispose();
        double updateSeconds = clock.Elapsed.TotalSeconds - teacherSeconds - supervisedSeconds - klSeconds - backwardSeconds;
        return new StepLosses(ceV, klV, algV, batch.BatchSize * batch.Length + klTokens)
        {
            Timings = new StepTimings(teacherSeconds, supervisedSeconds, klSeconds, backwardSeconds, updateSeconds),
        };
    }

    private long[] AllRows() => Enumerable.Range(0, Teacher.ResidualWidth).Select(i => (long)i).ToArray();

    /// <summary>Teacher-forced accuracy of the answer-token predictions on the validation items (the paper's val_acc).</summary>
    public double ValidationAccuracy()
    {
        if (Data.Validation.Count == 0) return double.NaN;
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var _ = no_grad();
            long correct = 0, total = 0;
            var device = Model.TokenEmbedding.weight!.device;
            foreach (var chunk in Data.Validation.Chunk(32))
            {
                using var scope = NewDisposeScope();
                var batch = Builder.Build(chunk);
                if (batch.CePositions.Length == 0) continue;
                var ids = tensor(batch.Ids, [batch.BatchSize, batch.Length], ScalarType.Int64).to(device);
                using var output = Model.Forward(ids, new Gpt2ForwardOptions { SkipLogits = true });
                var selected = output.LastHiddenState.reshape(-1, Model.Config.NEmbd).index_select(0, tensor(batch.CePositions, ScalarType.Int64, device));
                var predicted = F.linear(selected, Model.TokenEmbedding.weight!).argmax(-1);
                correct += predicted.eq(tensor(batch.CeTargets, ScalarType.Int64, device)).sum().item<long>();
                total += batch.CePositions.Length;
            }
            return total == 0 ? double.NaN : (double)correct / total;
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Adapter.Dispose();
        Model.Dispose();
        Frozen?.Dispose();
        TeacherRuntime.Dispose();
        Translator.Dispose();
    }
}
