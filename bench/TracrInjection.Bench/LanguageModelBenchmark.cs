using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Native;
using static TorchSharp.torch;

namespace TracrInjection.Bench;

/// <summary>
/// <c>bench lm [--steps N] [--new-tokens N] [--skip-small] [--threads N]</c>: language-model throughput on this
/// machine. For the embedded default model (models/default) and a randomly initialised
/// GPT-2-small-sized model (124M parameters): training tokens/s (the pretraining step: forward,
/// cross-entropy, backward, clipping, AdamW) and model FLOP utilisation, MFU = 6 · parameters ·
/// tokens/s ÷ the measured float32 matmul rate; greedy generation tokens/s with and without the
/// key/value cache. Not a test: it prints a table.
/// </summary>
public static class LanguageModelBenchmark
{
    public static int Run(string[] args)
    {
        int steps = IntArg(args, "--steps", 4);
        int newTokens = IntArg(args, "--new-tokens", 64);
        int threads = IntArg(args, "--threads", Environment.ProcessorCount);
        bool skipSmall = args.Contains("--skip-small");
        torch.set_num_threads(threads);
        GlibcAllocator.KeepFreedMemory();

        var (f32, bf16) = MatmulRate();
        Console.WriteLine(F($"matmul 2048×2048×2048: float32 {f32 / 1e9:F1} GFLOP/s, bfloat16 {bf16 / 1e9:F1} GFLOP/s ({threads} threads, {Environment.ProcessorCount} cores)"));
        Console.WriteLine();

        var rows = new List<string[]>();
        string header = "model | params | train batch | train tok/s | MFU (f32) | gen tok/s cached | gen tok/s uncached";
        string? defaultDir = TryDefaultModel();
        if (defaultDir is not null)
        {
            using var model = Gpt2Checkpoint.Load(defaultDir);
            rows.Add(Measure("default (models/default)", model, batch: 8, length: Math.Min(256, model.Config.NPositions), steps, newTokens, f32));
        }
        else Console.WriteLine("models/default not found: skipping the default model.");

        if (!skipSmall)
        {
            using var small = new Gpt2Model(Gpt2Config.Small with { ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, seed: 1);
            rows.Add(Measure("GPT-2 small (random)", small, batch: 2, length: 256, Math.Max(2, steps / 2), newTokens, f32));
        }

        var table = new List<string[]> { header.Split(" | ") };
        table.AddRange(rows);
        int[] widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        foreach (var (row, i) in table.Select((r, i) => (r, i)))
        {
            Console.WriteLine(string.Join(" | ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (i == 0) Console.WriteLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        }
        Console.WriteLine();
        Console.WriteLine("train: pretraining step (bf16 unembedding, as `pretrain` runs it), mean over the timed steps after one warm-up step;");
        Console.WriteLine(F($"MFU = 6 · params · tokens/s ÷ float32 matmul rate; generation: batch 1, 32-token prompt, {newTokens} new tokens, greedy."));
        return 0;
    }

    static string[] Measure(string name, Gpt2Model model, int batch, int length, int steps, int newTokens, double f32Rate)
    {
        long parameters = model.ParameterCount;
        var rng = new Random(5);
        long[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => (long)rng.Next(model.Config.VocabSize)).ToArray();

        // Training.
        model.train();
        using var optimizer = new AdamW(model.named_parameters(), 0.9, 0.95, 1e-8, 0.1);
        var ps = model.parameters().ToList();
        double timed = 0;
        for (int s = 0; s <= steps; s++)
        {
            var x = Tokens(batch * length);
            var y = Tokens(batch * length);
            var clock = Stopwatch.StartNew();
            Pretrainer.Step(model, optimizer, ps, x, y, batch, length, 1e-5, 1.0, bfloat16Unembedding: true);
            if (s > 0) timed += clock.Elapsed.TotalSeconds;
        }
        double trainRate = steps * (double)batch * length / timed;
        double mfu = 6.0 * parameters * trainRate / f32Rate;
        model.eval();

        // Generation.
        int promptLength = Math.Min(32, model.Config.NPositions - newTokens);
        var prompt = Tokens(promptLength).Select(t => (int)t).ToArray();
        double Generate(bool cache)
        {
            var options = new Gpt2GenerationOptions { MaxNewTokens = newTokens, UseCache = cache };
            Gpt2Generation.GenerateGreedy(model, [prompt], options with { MaxNewTokens = 4 }); // warm-up
            var clock = Stopwatch.StartNew();
            var result = Gpt2Generation.GenerateGreedy(model, [prompt], options);
            return result[0].NewIds.Length / clock.Elapsed.TotalSeconds;
        }
        double cached = Generate(true);
        double uncached = Generate(false);
        return
        [
            name, F($"{parameters / 1e6:F1}M"), F($"{batch}×{length}"), F($"{trainRate:F0}"), F($"{mfu * 100:F1}%"),
            F($"{cached:F1}"), F($"{uncached:F1}"),
        ];
    }

    static (double F32, double BF16) MatmulRate()
    {
        double Rate(ScalarType type)
        {
            using var scope = NewDisposeScope();
            const int n = 2048;
            var a = torch.randn(n, n).to_type(type);
            var b = torch.randn(n, n).to_type(type);
            torch.mm(a, b).Dispose();
            double best = 0;
            for (int r = 0; r < 5; r++)
            {
                var clock = Stopwatch.StartNew();
                torch.mm(a, b).Dispose();
                best = Math.Max(best, 2.0 * n * n * n / clock.Elapsed.TotalSeconds);
            }
            return best;
        }
        return (Rate(ScalarType.Float32), Rate(ScalarType.BFloat16));
    }

    static string? TryDefaultModel()
    {
        var root = RepositoryPaths.TryFindRoot(AppContext.BaseDirectory) ?? RepositoryPaths.TryFindRoot(Directory.GetCurrentDirectory());
        if (root is null) return null;
        string dir = Path.Combine(root, "models", "default");
        return File.Exists(Path.Combine(dir, Gpt2Checkpoint.ConfigFileName)) ? dir : null;
    }

    static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
