using System.CommandLine;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Evaluation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;

namespace TracrInjection.Cli.Injection;

/// <summary>
/// <c>inject (--task sum|count|dyck | --program FILE.rasp --prompt-template "...{input}..." [--answer last])
/// --model DIR|default [--baseline] [--preset paper|improved] [--steps N] [--seed S] [--out RUN] [--resume]</c>:
/// trains (checkpoints every N steps), then evaluates the run (metrics.json, plots).
/// </summary>
public static class InjectCommand
{
    /// <summary>Training and evaluation knobs shared by inject and demo.</summary>
    internal sealed class TrainingFlags
    {
        public Option<string> Preset { get; } = new("--preset") { Description = "paper: the authors' setup, quirks included; improved: every quirk fixed.", HelpName = "paper|improved", DefaultValueFactory = _ => "paper" };
        public Option<string?> Fixes { get; } = new("--fixes") { Description = "Fixes on top of the preset, for ablations: all, none, or a comma list of map_operators, count_split_digits, token_exact_mask, no_truncation, align_real_tokens_only, repair_tracr_bugs, true_length_ood (a leading '-' turns one off).", HelpName = "LIST" };
        public Option<long?> Steps { get; } = new("--steps") { Description = "Optimizer steps (paper: 20000).", HelpName = "N" };
        public Option<bool> FixTracrBugs { get; } = new("--fix-tracr-bugs") { Description = "Compile the teacher in fix mode, as 'compile --fix-tracr-bugs' (the same as --fixes repair_tracr_bugs)." };
        public Option<long> Seed { get; } = new("--seed") { Description = "Seed of the data, the splits, the adapter and dropout.", DefaultValueFactory = _ => 42 };
        public Option<int?> Batch { get; } = new("--batch-size") { Description = "Supervised examples per step (paper preset 12, improved 16).", HelpName = "N" };
        public Option<int?> KlBatch { get; } = new("--kl-batch-size") { Description = "KL windows per step (default: the batch size).", HelpName = "N" };
        public Option<double?> LmLr { get; } = new("--lm-lr") { Description = "LM learning rate (paper 1e-6; small models need more, e.g. 3e-4).", HelpName = "LR" };
        public Option<double?> AdapterLr { get; } = new("--adapter-lr") { Description = "Adapter learning rate (paper 1e-4).", HelpName = "LR" };
        public Option<double?> AlgWeight { get; } = new("--algorithm-weight") { Description = "Multiplier of the algorithm loss (paper 1).", HelpName = "W" };
        public Option<double?> Clip { get; } = new("--grad-clip") { Description = "Clip the global gradient norm (paper: no clipping).", HelpName = "NORM" };
        public Option<int?> Warmup { get; } = new("--warmup") { Description = "Linear learning-rate warmup steps (paper: none).", HelpName = "N" };
        public Option<long?> RollWarmup { get; } = new("--roll-warmup") { Description = "Start detach-and-roll at this step (paper: 0, from the first step); small models need the alignment to settle first, e.g. half the steps.", HelpName = "N" };
        public Option<bool> NoRoll { get; } = new("--no-detach-and-roll") { Description = "Ablation: train with the algorithm loss but without detach-and-roll." };
        public Option<bool> FreezeEmbeddings { get; } = new("--freeze-embeddings") { Description = "Do not train the token/position embeddings (the paper trains every parameter; saves time on small models)." };
        public Option<int?> Pool { get; } = new("--pool-size") { Description = "Generated items before the split (paper: count 2000000, dyck 1000000; sum is always all 202500 pairs).", HelpName = "N" };
        public Option<int?> EvalItems { get; } = new("--eval-items") { Description = "At most this many items per evaluated split (paper: all, 4000).", HelpName = "N" };
        public Option<int?> ValidateEvery { get; } = new("--validate-every") { Description = "Teacher-forced answer accuracy on the validation items every N steps (paper: 100; 0 = never).", HelpName = "N" };
        public Option<int?> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "Checkpoint every N steps (default 500).", HelpName = "N" };
        public Option<string?> Mapping { get; } = new("--layer-mapping") { Description = "auto (identity when the model is deep enough, else packed), identity (the paper), packed.", HelpName = "auto|identity|packed" };
        public Option<int?> TeacherLen { get; } = new("--teacher-max-seq-len") { Description = "Compile the teacher for this many positions (default: sum 16, count 120, dyck 40/48).", HelpName = "N" };
        public Option<string?> Corpus { get; } = new("--corpus") { Description = "Corpus folder with heldout.txt (default: the repository's data/corpus).", HelpName = "DIR" };
        public Option<int?> Threads { get; } = new("--threads") { Description = "Torch intra-op threads (1 is fastest on a busy machine).", HelpName = "N" };
        public Option<int?> LmEvalItems { get; } = new("--lm-eval-items") { Description = "Cloze passages and 2-shot choice items of the retained-ability evaluation before/after (lm-eval: 2000 each; even).", HelpName = "N" };
        public Option<bool> NoLmEval { get; } = new("--no-lm-eval") { Description = "Skip the retained-ability evaluation (lm-eval before/after)." };
        public Option<string?> Device { get; } = new("--device") { Description = "Torch device: cpu (default) or cuda[:N] (needs a TorchSharp CUDA build).", HelpName = "DEVICE" };

        public IEnumerable<Option> All => [Preset, Fixes, FixTracrBugs, Steps, Seed, Batch, KlBatch, LmLr, AdapterLr, AlgWeight, RollWarmup, NoRoll, Clip, Warmup, FreezeEmbeddings, Pool, EvalItems, ValidateEvery, CheckpointEvery, Mapping, TeacherLen, Corpus, Threads, LmEvalItems, NoLmEval, Device];

        public InjectionOptions Build(ParseResult parse, string task, bool baseline, InjectionOptions? start = null, ProgramTaskSpec? program = null)
        {
            var preset = parse.GetValue(Preset) switch
            {
                "paper" => InjectionPreset.Paper,
                "improved" => InjectionPreset.Improved,
                var other => throw new CliException($"unknown preset '{other}': use paper or improved"),
            };
            var o = start ?? (program is null ? InjectionOptions.ForPreset(preset, task) : InjectionOptions.ForPreset(preset, program));
            o = o with { Baseline = baseline, Seed = parse.GetValue(Seed) };
            if (parse.GetValue(Fixes) is { } fixes) o = o with { Fixes = Wrap(() => InjectionFixes.Parse(fixes, o.Fixes)) };
            if (parse.GetValue(FixTracrBugs)) o = o with { Fixes = o.Fixes with { RepairTracrBugs = true } };
            if (parse.GetValue(Steps) is { } steps) o = o with { Steps = steps };
            if (parse.GetValue(Batch) is { } b) o = o with { BatchSize = b };
            if (parse.GetValue(KlBatch) is { } kb) o = o with { KlBatchSize = kb };
            if (parse.GetValue(LmLr) is { } lr) o = o with { LmLearningRate = lr };
            if (parse.GetValue(AdapterLr) is { } alr) o = o with { AdapterLearningRate = alr };
            if (parse.GetValue(AlgWeight) is { } w) o = o with { AlgorithmLossMultiplier = w };
            if (parse.GetValue(RollWarmup) is { } rw) o = o with { RollWarmupSteps = rw };
            if (parse.GetValue(NoRoll)) o = o with { DetachAndRoll = false };
            if (parse.GetValue(Clip) is { } clip) o = o with { GradientClip = clip };
            if (parse.GetValue(Warmup) is { } warm) o = o with { WarmupSteps = warm };
            if (parse.GetValue(FreezeEmbeddings)) o = o with { TrainEmbeddings = false };
            if (parse.GetValue(Pool) is { } pool) o = o with { Data = o.Data with { PoolSize = pool } };
            if (parse.GetValue(EvalItems) is { } ei) o = o with { Evaluation = o.Evaluation with { MaxItemsPerSplit = ei } };
            if (parse.GetValue(LmEvalItems) is { } li)
            {
                if (li < 2 || li % 2 != 0) throw new CliException($"--lm-eval-items must be an even number, at least 2 (got {li})");
                o = o with { Evaluation = o.Evaluation with { LanguageClozePassages = li, LanguageChoiceItems = li } };
            }
            if (parse.GetValue(NoLmEval)) o = o with { Evaluation = o.Evaluation with { RetainedAbility = false } };
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
        var programFlags = new ProgramFlags();
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
        foreach (var o in programFlags.All) cmd.Options.Add(o);
        cmd.SetAction(parse => InjectionCommandSupport.Guard(ctx, () =>
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
                string? taskName = parse.GetValue(task);
                var program = programFlags.Spec(parse, taskName is not null);
                if (taskName is null && program is null) throw new CliException("give --task sum|count|dyck or --program FILE.rasp");
                var def = program is not null ? Wrap(() => InjectionTask.ForProgram(program)) : Wrap(() => InjectionTask.Get(taskName!));
                var o = flags.Build(parse, def.Name, parse.GetValue(baseline), program: program);
                string folderName = program is not null ? "program-" + program.Name : def.Name;
                outDir ??= Path.Combine("runs", $"{folderName}-{(o.Baseline ? "baseline" : "injection")}-{o.Preset.ToString().ToLowerInvariant()}-seed{o.Seed}");
                string modelName = parse.GetValue(model)!;
                string modelDir = InjectionCommandSupport.ResolveModel(modelName);
                trainer = InjectionTrainer.Create(outDir, modelDir, o, modelName, command: "inject " + string.Join(' ', parse.Tokens.Select(t => t.Value)));
                ctx.Err.WriteLine($"{def.Name} {(o.Baseline ? "baseline" : "injection")} ({o.Preset.ToString().ToLowerInvariant()}) into '{trainer.Run.Root}': " +
                                  (o.Baseline ? "answer CE + KL, no algorithm loss"
                                      : $"teacher {trainer.Teacher.Layers.Count} layers × width {trainer.Teacher.ResidualWidth}; {trainer.Alignment.Note}"));
            }
            using (trainer)
            {
                var result = InjectionCommandSupport.WithCtrlC(token => InjectionCommandSupport.Train(trainer, ctx, trainer.Options.Baseline ? "baseline" : "injection", token, parse.GetValue(plain)));
                if (result.Stop == InjectionStop.Cancelled)
                {
                    ctx.Out.WriteLine($"stopped at step {result.Step}; checkpoint '{result.LastCheckpoint}'. Continue with: inject --out {trainer.Run.Root} --resume");
                    return InjectionCommandSupport.ExitCancelled;
                }
                ctx.Err.WriteLine(InjectionCommandSupport.F($"trained {result.Step} steps in {result.TrainingSeconds:F0} s; checkpoint '{result.LastCheckpoint}'"));
            }
            string root = Path.GetFullPath(outDir!);
            if (parse.GetValue(noEval))
            {
                ctx.Out.WriteLine($"run '{root}' trained; evaluate it with: evaluate --run {root}");
                return CliApp.ExitOk;
            }
            var metrics = RunEvaluator.Evaluate(root, s => ctx.Err.WriteLine(s));
            InjectionCommandSupport.PrintTable(ctx, metrics.Task, [(metrics.Method, metrics)]);
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

    /// <summary>The options that make a task from a RASP program (<c>--program FILE.rasp</c>).</summary>
    internal sealed class ProgramFlags
    {
        public Option<string?> Program { get; } = new("--program", "-p") { Description = "Inject any RASP program (a .rasp file; see docs/rasp-language.md) instead of a built-in --task.", HelpName = "FILE.rasp" };
        public Option<string?> Vocab { get; } = new("--vocab") { Description = "With --program: comma-separated input tokens (default: the file's '# vocab:' header). Each ' token' must be one GPT-2 token.", HelpName = "a,b,c" };
        public Option<int?> MaxSeqLen { get; } = new("--max-seq-len") { Description = "With --program: longest input, and the teacher's max_seq_len (default: the file's header).", HelpName = "N" };
        public Option<int?> MinLength { get; } = new("--min-length") { Description = "With --program: shortest input (default 1).", HelpName = "N" };
        public Option<int?> OodLength { get; } = new("--ood-length") { Description = "With --program: longest input of the length_ood split (lengths max+1..N; default 2 × max).", HelpName = "N" };
        public Option<string?> Template { get; } = new("--prompt-template") { Description = "With --program: the prompt, with {input} where the input tokens go (separated by spaces), e.g. \"Reverse: {input} =\".", HelpName = "TEXT" };
        public Option<string?> Answer { get; } = new("--answer") { Description = "With --program: the output positions that form the answer: last (default), first, all, or 0-based positions like 0,-1.", HelpName = "last|first|all|I,J" };
        public Option<string?> Tokenizer { get; } = new("--tokenizer") { Description = "With --program: the GPT-2 tokenizer variant (default standard).", HelpName = "standard|split-digits|split-brackets" };

        public IEnumerable<Option> All => [Program, Vocab, MaxSeqLen, MinLength, OodLength, Template, Answer, Tokenizer];

        /// <summary>The program task of the command line, or null without --program (then no program option may be given).</summary>
        public ProgramTaskSpec? Spec(ParseResult parse, bool hasTask)
        {
            string? path = parse.GetValue(Program);
            if (path is null)
            {
                var stray = All.Skip(1).FirstOrDefault(o => parse.GetResult(o) is not null);
                if (stray is not null) throw new CliException($"{stray.Name} applies to --program only");
                return null;
            }
            if (hasTask) throw new CliException("give either --task or --program, not both");
            if (Directory.Exists(path)) throw new CliException($"program file '{path}' is a folder");
            if (!File.Exists(path)) throw new CliException($"program file '{path}' does not exist");
            string full = Path.GetFullPath(path);
            string text = File.ReadAllText(full);
            // The header supplies what the command line does not.
            Rasp.Text.ProgramHeader header;
            try
            {
                header = Rasp.Text.RaspProgramText.Parse(text, path, directory: Path.GetDirectoryName(full)).Header;
            }
            catch (Rasp.Text.RaspProgramException e)
            {
                throw new CliException(e.Message);
            }
            IReadOnlyList<string> vocab;
            bool literal;
            if (parse.GetValue(Vocab) is { } v)
            {
                var items = v.Split(',').Select(x => x.Trim()).ToList();
                if (items.Any(x => x.Length == 0)) throw new CliException($"--vocab '{v}' has an empty item");
                vocab = items;
                literal = !(header.Vocab is { Count: > 0 } hv && hv.All(x => x.IsString)); // as compile --vocab reads it
            }
            else
            {
                if (header.Vocab is not { Count: > 0 } hv)
                    throw new CliException($"program '{path}' has no vocabulary: add '# vocab: a, b, c' to its header or give --vocab");
                vocab = hv.Select(x => x.ToString()).ToList();
                literal = hv.Any(x => !x.IsString);
            }
            int max = parse.GetValue(MaxSeqLen) ?? header.MaxSeqLen
                ?? throw new CliException($"program '{path}' has no max_seq_len: add '# max_seq_len: N' to its header or give --max-seq-len");
            string template = parse.GetValue(Template)
                ?? throw new CliException("give --prompt-template with {input} where the input goes, e.g. \"Reverse: {input} =\"");
            var tokenizer = parse.GetValue(Tokenizer) switch
            {
                null or "standard" => Models.Tokenization.Gpt2TokenizerVariant.Standard,
                "split-digits" => Models.Tokenization.Gpt2TokenizerVariant.SplitDigits,
                "split-brackets" => Models.Tokenization.Gpt2TokenizerVariant.SplitBrackets,
                var other => throw new CliException($"unknown tokenizer '{other}': use standard, split-digits or split-brackets"),
            };
            return new ProgramTaskSpec
            {
                Path = full, Text = text, Vocab = vocab, LiteralVocab = literal, MaxLength = max,
                MinLength = parse.GetValue(MinLength) ?? 1, OodMaxLength = parse.GetValue(OodLength), Template = template,
                Answer = parse.GetValue(Answer) ?? "last", Tokenizer = tokenizer,
            };
        }
    }
}
