using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Optimisation;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Training;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Bench;

/// <summary>
/// <c>bench inject [--model DIR|default] [--tasks sum,count,dyck] [--steps N] [--batch N] [--kl-batch N] [--preset paper|improved] [--freeze-embeddings]</c>:
/// training throughput per task of (1) a tracr-injection step (answer CE + KL + algorithm loss through the adapter, teacher
/// forward, translator, detach-and-roll), (2) the baseline step (answer CE + KL), (3) the same model's plain
/// language-model step on the same supervised batch (next-token CE on every position, no KL, no teacher); with where an
/// injection step's time goes. Steps are timed after one warm-up step; tokens count supervised plus KL tokens.
/// </summary>
public static class InjectionBenchmark
{
    public static int Run(string[] args)
    {
        string? model = Arg(args, "--model");
        var tasks = (Arg(args, "--tasks") ?? "sum,count,dyck").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int steps = int.Parse(Arg(args, "--steps") ?? "5", CultureInfo.InvariantCulture);
        int batch = int.Parse(Arg(args, "--batch") ?? "12", CultureInfo.InvariantCulture);
        int klBatch = int.Parse(Arg(args, "--kl-batch") ?? batch.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var preset = (Arg(args, "--preset") ?? "paper") == "improved" ? InjectionPreset.Improved : InjectionPreset.Paper;
        bool freeze = args.Contains("--freeze-embeddings");

        string scratch = Path.Combine(Path.GetTempPath(), "tracr-inject-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            string modelDir = ResolveModel(model, scratch);
            var config = Gpt2Config.Load(Path.Combine(modelDir, "config.json"));
            Console.WriteLine($"model '{modelDir}': {config.NLayer} blocks × {config.NEmbd}, vocab {config.VocabSize}; torch threads {torch.get_num_threads()}; " +
                              $"batch {batch}, KL batch {klBatch} × 30 tokens; {steps} timed steps after 1 warm-up; preset {preset.ToString().ToLowerInvariant()}");
            Console.WriteLine();
            Console.WriteLine($"{"task",-6} {"method",-10} {"steps/s",8} {"tokens/s",9} {"s/step",7}   teacher  supervised  KL    backward  AdamW   (s per step)");
            foreach (var name in tasks)
            {
                var task = InjectionTask.Get(name);
                var kl = KlSource(task, preset, 30);
                var o = InjectionOptions.ForPreset(preset, task.Name) with
                {
                    Steps = steps + 1, BatchSize = batch, KlBatchSize = klBatch, CheckpointInterval = 0, ValidationInterval = 0,
                    LmLearningRate = 1e-4, AdapterLearningRate = 1e-3, Data = new TaskDataOptions { PoolSize = 20_000 }, TrainEmbeddings = !freeze,
                };
                foreach (bool baseline in new[] { false, true })
                {
                    using var trainer = InjectionTrainer.Create(Path.Combine(scratch, $"{task.Name}-{baseline}"), modelDir, o with { Baseline = baseline }, klSource: kl);
                    trainer.TrainStep(0);
                    var sw = Stopwatch.StartNew();
                    long tokens = 0;
                    double teacher = 0, sup = 0, klT = 0, bwd = 0, upd = 0;
                    for (int s = 1; s <= steps; s++)
                    {
                        var l = trainer.TrainStep(s);
                        tokens += l.Tokens;
                        if (l.Timings is { } t) { teacher += t.Teacher; sup += t.Supervised; klT += t.Kl; bwd += t.Backward; upd += t.Update; }
                    }
                    double secs = sw.Elapsed.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{task.Name,-6} {(baseline ? "baseline" : "injection"),-10} {steps / secs,8:F3} {tokens / secs,9:F0} {secs / steps,7:F2}   {teacher / steps,7:F2}  {sup / steps,10:F2}  {klT / steps,5:F2}  {bwd / steps,8:F2}  {upd / steps,6:F2}"));
                    if (!baseline) Console.WriteLine($"       {trainer.Alignment.Note}; teacher width {trainer.Teacher.ResidualWidth}");
                }
                PlainStep(task, preset, modelDir, batch, steps);
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The same model's ordinary training step on the same kind of batch: CE on every next token, AdamW.</summary>
    private static void PlainStep(InjectionTask task, InjectionPreset preset, string modelDir, int batch, int steps)
    {
        var fixes = InjectionFixes.For(preset);
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(fixes), modelDir);
        using var model = Gpt2Checkpoint.Load(modelDir);
        model.train();
        var data = task.BuildData(new TaskDataOptions { PoolSize = 20_000 }, fixes);
        var builder = new SupervisedBatchBuilder(tok, InjectionTrainer.PadId(tok, model.Config), fixes.NoTruncation ? null : task.PaperMaxLength, fixes.TokenExactMask);
        var batcher = new TrainBatcher(data.Train, batch, 1);
        using var opt = new GroupedAdamW(0.9, 0.999, 1e-8, 0.01);
        opt.AddGroup("lm", 1e-4, model.named_parameters().Select(p => (p.name, p.parameter)));
        long tokens = 0;
        Stopwatch? sw = null;
        for (int s = 0; s <= steps; s++)
        {
            if (s == 1) sw = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            var b = builder.Build(batcher.Batch(s));
            var ids = tensor(b.Ids, [b.BatchSize, b.Length], ScalarType.Int64);
            using var output = model.Forward(ids);
            var logits = output.Logits!.narrow(1, 0, b.Length - 1).reshape(-1, model.Config.VocabSize);
            var loss = F.cross_entropy(logits, ids.narrow(1, 1, b.Length - 1).reshape(-1));
            opt.ZeroGrad();
            loss.backward();
            opt.Step();
            if (s >= 1) tokens += b.BatchSize * b.Length;
        }
        double secs = sw!.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{task.Name,-6} {"plain LM",-10} {steps / secs,8:F3} {tokens / secs,9:F0} {secs / steps,7:F2}   (next-token CE on all {batch}×T positions, no KL)"));
    }

    private static IKlTextSource KlSource(InjectionTask task, InjectionPreset preset, int length)
    {
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(InjectionFixes.For(preset)));
        try
        {
            return HeldOutCorpus.Load().KlSource(tok, length, allWindows: true);
        }
        catch (FileNotFoundException)
        {
            var rng = new Random(1);
            return new InMemoryKlSource(Enumerable.Range(0, 256).Select(_ => Enumerable.Range(0, length).Select(_ => rng.Next(50000)).ToArray()).ToList(), "random tokens");
        }
    }

    private static string ResolveModel(string? model, string scratch)
    {
        if (model is not null && model != "default") return model;
        string? root = RepositoryPaths.TryFindRoot(AppContext.BaseDirectory) ?? RepositoryPaths.TryFindRoot(Directory.GetCurrentDirectory());
        string? dir = root is null ? null : Path.Combine(root, "models", "default");
        if (dir is not null && File.Exists(Path.Combine(dir, "config.json"))) return dir;
        if (model == "default") throw new DirectoryNotFoundException("models/default is missing");
        // No default model yet: a random model of the default model's shape.
        string path = Path.Combine(scratch, "random-4x256");
        using var m = new Gpt2Model(new Gpt2Config { NLayer = 4, NHead = 4, NEmbd = 256, NPositions = 128, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, seed: 1);
        Gpt2Checkpoint.Save(m, path);
        Console.WriteLine("(models/default not found: benchmarking a random 4×256 GPT-2 of the same shape)");
        return path;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
