using System.CommandLine;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;

namespace TracrInjection.Cli.Injection;

/// <summary>
/// <c>inject --task sum|count|dyck --model DIR|default [--baseline] [--preset paper|improved] [--steps N] [--seed S]
/// [--out RUN] [--resume]</c>: trains (checkpoints every N steps), then evaluates the run (metrics.json, plots).
/// </summary>
public static class InjectCommand
{
    /// <summary>Training and evaluation knobs shared by inject and demo.</summary>
    internal sealed class TrainingFlags
    {
        public Option<string> Preset { get; } = new("--preset") { Description = "paper: the authors' setup, quirks included; improved: every quirk fixed.", HelpName = "paper|improved", DefaultValueFactory = _ => "paper" };
        public Option<string?> Fixes { get; } = new("--fixes") { Description = "Fixes on top of the preset, for ablations: all, none, or a comma list of map_operators, count_split_digits, token_exact_mask, no_truncation, align_real_tokens_only, repair_tracr_bugs, true_length_ood (a leading '-' turns one off).", HelpName = "LIST" };
        public Option<long?> Steps { get; } = new("--steps") { Description = "Optimizer steps (paper: 20000).", HelpName = "N" };
        public Option<long> Seed { get; } = new("--seed") { Description = "Seed of the data, the splits, the adapter and dropout.", DefaultValueFactory = _ => 42 };
        public Option<int?> Batch { get; } = new("--batch-size") { Description = "Supervised examples per step (paper preset 12, improved 16).", HelpName = "N" };
        public Option<int?> KlBatch { get; } = new("--kl-batch-size") { Description = "KL windows per step (default: the batch size).", HelpName = "N" };
        public Option<double?> LmLr { get; } = new("--lm-lr") { Description = "LM learning rate (paper 1e-6; small models need more, e.g. 3e-4).", HelpName = "LR" };
        public Option<double?> AdapterLr { get; } = new("--adapter-lr") { Description = "Adapter learning rate (paper 1e-4).", HelpName = "LR" };
        public Option<double?> AlgWeight { get; } = new("--algorithm-weight") { Description = "Multiplier of the algorithm loss (paper 1).", HelpName = "W" };
        public Option<double?> Clip { get; } = new("--grad-clip") { Description = "Clip the global gradient norm (paper: no clipping).", HelpName = "NORM" };
        public Option<int?> Warmup { get; } = new("--warmup") { Description = "Linear learning-rate warmup steps (paper: none).", HelpName = "N" };
        public Option<bool> FreezeEmbeddings { get; } = new("--freeze-embeddings") { Description = "Do not train the token/position embeddings (the paper trains every parameter; saves time on small models)." };
        public Option<int?> Pool { get; } = new("--pool-size") { Description = "Generated items before the split (paper: count 2000000, dyck 1000000; sum is always all 202500 pairs).", HelpName = "N" };
        public Option<int?> EvalItems { get; } = new("--eval-items") { Description = "At most this many items per evaluated split (paper: all, 4000).", HelpName = "N" };
        public Option<int?> ValidateEvery { get; } = new("--validate-every") { Description = "Teacher-forced answer accuracy on the validation items every N steps (paper: 100; 0 = never).", HelpName = "N" };
        public Option<int?> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "Checkpoint every N steps (default 500).", HelpName = "N" };
        public Option<string?> Mapping { get; } = new("--layer-mapping") { Description = "auto (identity when the model is deep enough, else packed), identity (the paper), packed.", HelpName = "auto|identity|packed" };
        public Option<int?> TeacherLen { get; } = new("--teacher-max-seq-len") { Description = "Compile the teacher for this many positions (default: sum 16, count 120, dyck 40/48).", HelpName = "N" };
        public Option<string?> Corpus { get; } = new("--corpus") { Description = "Corpus folder with heldout.txt (default: the repository's data/corpus).", HelpName = "DIR" };
        public Option<int?> Threads { get; } = new("--threads") { Description = "Torch intra-op threads (1 is fastest on a busy machine).", HelpName = "N" };
        public Option<string?> Device { get; } = new("--device") { Description = "Torch device: cpu (default) or cuda[:N] (needs a TorchSharp CUDA build).", HelpName = "DEVICE" };

        public IEnumerable<Option> All => [Preset, Fixes, Steps, Seed, Batch, KlBatch, LmLr, AdapterLr, AlgWeight, Clip, Warmup, FreezeEmbeddings, Pool, EvalItems, ValidateEvery, CheckpointEvery, Mapping, TeacherLen, Corpus, Threads, Device];

        public InjectionOptions Build(ParseResult parse, string task, bool baseline, InjectionOptions? start = null)
        {
            var preset = parse.GetValue(Preset) switch
            {
                "paper" => InjectionPreset.Paper,
                "improved" => InjectionPreset.Improved,
                var other => throw new CliException($"unknown preset '{other}': use paper or improved"),
            };
            var o = start ?? InjectionOptions.ForPreset(preset, task);
            o = o with { Baseline = baseline, Seed = parse.GetValue(Seed) };
            if (parse.GetValue(Fixes) is { } fixes) o = o with { Fixes = Wrap(() => InjectionFixes.Parse(fixes, o.Fixes)) };
            if (parse.GetValue(Steps) is { } steps) o = o with { Steps = steps };
            if (parse.GetValue(Batch) is { } b) o = o with { BatchSize = b };
            if (parse.GetValue(KlBatch) is { } kb) o = o with { KlBatchSize = kb };
            if (parse.GetValue(LmLr) is { } lr) o = o with { LmLearningRate = lr };
            if (parse.GetValue(AdapterLr) is { } alr) o = o with { AdapterLearningRate = alr };
            if (parse.GetValue(AlgWeight) is { } w) o = o with { AlgorithmLossMultiplier = w };
            if (parse.GetValue(Clip) is { } clip) o = o with { GradientClip = clip };
            if (parse.GetValue(Warmup) is { } warm) o = o with { WarmupSteps = warm };
            if (parse.GetValue(FreezeEmbeddings)) o = o with { TrainEmbeddings = false };
            if (parse.GetValue(Pool) is { } pool) o = o with { Data = o.Data with { PoolSize = pool } };
            if (parse.GetValue(EvalItems) is { } ei) o = o with { Evaluation = o.Evaluation with { MaxItemsPerSplit = ei } };
            if (parse.GetValue(ValidateEvery) is { } ve) o = o with { ValidationInterval = ve };
            if (parse.GetValue(CheckpointEvery) is { } ce) o = o with { CheckpointInterval = ce };
            if (parse.GetValue(Mapping) is { } m)
                o = o with
                {
                    LayerMapping = m switch
                    {
                        "auto" => LayerMappingMode.Auto,
                        "identity" => LayerMappingMode.Identity,
                        "packed" => LayerMappingMode.Packed,
                        _ => throw new CliException($"unknown layer mapping '{m}': use auto, identity or packed"),
                    },
                };
            if (parse.GetValue(TeacherLen) is { } tl) o = o with { TeacherMaxSeqLen = tl };
            if (parse.GetValue(Corpus) is { } c) o = o with { CorpusDirectory = Path.GetFullPath(c) };
            if (parse.GetValue(Threads) is { } t) o = o with { Threads = t };
            if (parse.GetValue(Device) is { } dev) o = o with { Device = dev };
            Wrap(() => { o.Validate(); return 0; });
            return o;
        }

        private static T Wrap<T>(Func<T> f)
        {
            try
            {
                return f();
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message);
            }
        }
    }

    public static Command Create(CliContext ctx)
    {
        var task = new Option<string?>("--task", "-t") { Description = "The task to inject: sum (integer addition), count (count the x), dyck (shuffle-Dyck-3).", HelpName = "sum|count|dyck" };
        var model = new Option<string>("--model", "-m") { Description = "Starting GPT-2 checkpoint folder (Hugging Face layout), or 'default' for the embedded model.", HelpName = "DIR|default", DefaultValueFactory = _ => "default" };
        var baseline = new Option<bool>("--baseline") { Description = "Train the baseline instead: answer CE + KL only (no algorithm loss, no detach-and-roll)." };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default runs/<task>-<injection|baseline>-<preset>-seed<S>).", HelpName = "RUN" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its latest checkpoint (settings come from its config; --steps may extend it)." };
        var noEval = new Option<bool>("--no-eval") { Description = "Only train; evaluate later with 'evaluate --run RUN'." };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines instead of a progress bar." };
        var flags = new TrainingFlags();
        var cmd = new Command("inject",
            "Distil a compiled RASP algorithm into a language model (tracr-injection), or train the baseline with --baseline; " +
            "then evaluate the run (accuracy per split, perplexity, decodability, causal test; metrics.json and plots in the run folder).");
        cmd.Options.Add(task);
        cmd.Options.Add(model);
        cmd.Options.Add(baseline);
        cmd.Options.Add(output);
        cmd.Options.Add(resume);
        cmd.Options.Add(noEval);
        cmd.Options.Add(plain);
        foreach (var o in flags.All) cmd.Options.Add(o);
        cmd.SetAction(parse => InjectionCommands.Guard(ctx, () =>
        {
            string? outDir = parse.GetValue(output);
            InjectionTrainer trainer;
            if (parse.GetValue(resume) && outDir is not null && File.Exists(Path.Combine(outDir, "config.json")))
            {
                trainer = InjectionTrainer.Resume(outDir, steps: parse.GetValue(flags.Steps));
                ctx.Err.WriteLine($"resuming '{trainer.Run.Root}' at step {trainer.Step} of {trainer.Options.Steps}");
            }
            else
            {
                string taskName = parse.GetValue(task) ?? throw new CliException("give --task sum|count|dyck");
                var def = Wrap(() => InjectionTask.Get(taskName));
                var o = flags.Build(parse, def.Name, parse.GetValue(baseline));
                outDir ??= Path.Combine("runs", $"{def.Name}-{(o.Baseline ? "baseline" : "injection")}-{o.Preset.ToString().ToLowerInvariant()}-seed{o.Seed}");
                string modelName = parse.GetValue(model)!;
                string modelDir = InjectionCommands.ResolveModel(modelName);
                trainer = InjectionTrainer.Create(outDir, modelDir, o, modelName, command: "inject " + string.Join(' ', parse.Tokens.Select(t => t.Value)));
                ctx.Err.WriteLine($"{def.Name} {(o.Baseline ? "baseline" : "injection")} ({o.Preset.ToString().ToLowerInvariant()}) into '{trainer.Run.Root}': " +
                                  (o.Baseline ? "answer CE + KL, no algorithm loss"
                                      : $"teacher {trainer.Teacher.Layers.Count} layers × width {trainer.Teacher.ResidualWidth}; {trainer.Alignment.Note}"));
            }
            using (trainer)
            {
                var result = InjectionCommands.WithCtrlC(token => InjectionCommands.Train(trainer, ctx, trainer.Options.Baseline ? "baseline" : "injection", token, parse.GetValue(plain)));
                if (result.Stop == InjectionStop.Cancelled)
                {
                    ctx.Out.WriteLine($"stopped at step {result.Step}; checkpoint '{result.LastCheckpoint}'. Continue with: inject --out {trainer.Run.Root} --resume");
                    return InjectionCommands.ExitCancelled;
                }
                ctx.Err.WriteLine(InjectionCommands.F($"trained {result.Step} steps in {result.TrainingSeconds:F0} s; checkpoint '{result.LastCheckpoint}'"));
            }
            string root = Path.GetFullPath(outDir!);
            if (parse.GetValue(noEval))
            {
                ctx.Out.WriteLine($"run '{root}' trained; evaluate it with: evaluate --run {root}");
                return CliApp.ExitOk;
            }
            var metrics = RunEvaluator.Evaluate(root, s => ctx.Err.WriteLine(s));
            InjectionCommands.PrintTable(ctx, metrics.Task, [(metrics.Method, metrics)]);
            ctx.Out.WriteLine($"metrics: {Path.Combine(root, "metrics.json")}; plots: {Path.Combine(root, "plots")}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    internal static T Wrap<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }
}
