using System.CommandLine;
using System.Diagnostics;
using TracrInjection.Cli.Compilation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Verification;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary>
/// <c>verify --random N [--inputs K] [--seed S] [--tracr-mode] [--batches M]</c>: compiles N random programs
/// (<see cref="RandomPrograms"/>) and compares each model, run by the TorchSharp runtime, with the RASP evaluator
/// on K random inputs; then checks that M random batches give bit-identical residuals to their inputs run alone.
/// Exit 0 when there is no silent disagreement (fix mode) and no batch difference, else 1.
/// </summary>
public static class VerifyCommand
{
    public static Command Create(CliContext ctx)
    {
        var random = new Option<int?>("--random") { Description = "Number of random programs.", HelpName = "N" };
        var inputs = new Option<int>("--inputs") { Description = "Random inputs per program (default 10); with --program/--model: N random inputs instead of every input.", DefaultValueFactory = _ => 10, HelpName = "K" };
        var source = new ModelSource();
        var maxLength = new Option<int?>("--max-length") { Description = "With --program/--model: check every input of length 1..L (default: the longest L with at most 10,000 inputs).", HelpName = "L" };
        var seed = new Option<int>("--seed") { Description = "First program seed (default 0; program i uses seed + i).", HelpName = "S" };
        var tracr = new Option<bool>("--tracr-mode") { Description = "Compile in tracr mode instead of fix mode (disagreements are then expected)." };
        var batches = new Option<int>("--batches") { Description = "Random batches for the batch-invariance check (default 0).", HelpName = "M" };
        var threads = new Option<int>("--threads") { Description = "Torch threads (default 1).", DefaultValueFactory = _ => 1, HelpName = "N" };
        var cmd = new Command("verify", "Differential test of the compiler against the RASP evaluator on random programs, and a batch-invariance check.")
        {
            random, inputs, seed, tracr, batches, threads, maxLength,
        };
        source.AddTo(cmd);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            bool oneModel = parse.GetResult(source.Model) is { Implicit: false } || parse.GetResult(source.Program) is { Implicit: false };
            if (oneModel)
            {
                if (parse.GetValue(random) is not null) throw new CliException("give either --random N (random programs) or --program/--model (one model), not both");
                if (parse.GetValue(tracr) || parse.GetValue(batches) > 0) throw new CliException("--tracr-mode and --batches apply to --random; with --program, tracr mode is the default and --fix-tracr-bugs selects fix mode");
                int? len = parse.GetValue(maxLength);
                if (len is int l && l < 1) throw new CliException($"--max-length must be at least 1 (got {l})");
                int? count = parse.GetResult(inputs) is { Implicit: false } ? parse.GetValue(inputs) : null;
                if (parse.GetValue(threads) is int th and > 0) TorchSharp.torch.set_num_threads(th);
                var loaded = source.Resolve(parse);
                if (len is int l2 && l2 > loaded.Model.MaxSeqLen) throw new CliException($"--max-length {l2} is longer than the model's max_seq_len {loaded.Model.MaxSeqLen}");
                string? dir = parse.GetValue(source.Model);
                var programExpr = dir is not null
                    ? VerifyProgram.ProgramOf(dir, CompiledModelStore.ReadMetadata(dir))
                    : Compilation.Compile.Spec(parse.GetValue(source.Program)!).Build();
                return VerifyProgram.Run(ctx, loaded, programExpr, count, len, parse.GetValue(seed));
            }
            if (parse.GetValue(maxLength) is not null) throw new CliException("--max-length applies to --program/--model");
            if (parse.GetValue(random) is not int n) throw new CliException("give --random N (random programs) or --program ID|FILE.rasp / --model DIR (one model)");
            int k = parse.GetValue(inputs), s0 = parse.GetValue(seed), m = parse.GetValue(batches);
            if (n < 0 || k < 1 || m < 0) throw new CliException("--random and --batches must be ≥ 0 and --inputs ≥ 1");
            if (parse.GetValue(threads) is int t and > 0) TorchSharp.torch.set_num_threads(t);
            bool fix = !parse.GetValue(tracr);
            var sw = Stopwatch.StartNew();
            var counts = new DifferentialCounts();
            for (int i = 0; i < n; i++)
            {
                var p = RandomPrograms.Generate(s0 + i);
                Differential.Check(p, fix, Forward, k, counts);
            }
            ctx.Out.WriteLine($"{(fix ? "fix" : "tracr")} mode, seeds {s0}..{s0 + n - 1}, {k} inputs each ({sw.Elapsed.TotalSeconds:0.0} s)");
            ctx.Out.WriteLine($"  programs: {counts.Programs}, compiled {counts.Programs - counts.CompileRejections}, compile rejections {counts.CompileRejections}");
            ctx.Out.WriteLine($"  inputs: {counts.Inputs} (RASP undefined {counts.RaspUndefinedInputs}): matches {counts.MatchedInputs}, flagged {counts.FlaggedInputs}, silent disagreements {counts.SilentInputs}");
            ctx.Out.WriteLine($"  positions with a RASP value: {counts.Positions}: matches {counts.MatchedPositions}, flagged {counts.FlaggedPositions}, silent {counts.SilentPositions}");
            ctx.Out.WriteLine($"  numerical positions {counts.NumericalPositions}, max |compiled − RASP| {counts.MaxNumericalError:G3}, max error / (1e-6 + 1e-6·|RASP|) {counts.MaxNormalisedError:G3}");
            foreach (var (reason, c) in counts.Rejections.OrderByDescending(r => r.Value).Take(8)) ctx.Out.WriteLine($"  rejected ×{c}: {reason}");
            foreach (var line in counts.Silent) ctx.Out.WriteLine($"  silent: {line}");

            int differences = 0, checkedBatches = 0;
            if (m > 0)
            {
                var rng = new Random(s0 ^ 0xba7c4);
                int seedIndex = 0;
                while (checkedBatches < m && seedIndex < 50 * m + 100)
                {
                    var p = RandomPrograms.Generate(s0 + 1_000_000 + seedIndex++);
                    CompiledModel model;
                    try { model = TracrInjection.Compiler.RaspCompiler.Compile(p.Program, p.Options(fix)); }
                    catch (TracrInjection.Compiler.CompilationException) { continue; }
                    using var runtime = new CompiledTransformer(model);
                    for (int b = 0; b < 5 && checkedBatches < m; b++, checkedBatches++)
                    {
                        int len = rng.Next(1, p.MaxSeqLen + 1), size = rng.Next(2, 9);
                        var rows = Enumerable.Range(0, size).Select(_ => model.Encode(
                            Enumerable.Range(0, len).Select(_ => p.Vocab[rng.Next(p.Vocab.Count)]).ToArray())).ToList();
                        using var batch = runtime.Forward(rows, captureStages: false);
                        for (int r = 0; r < size; r++)
                        {
                            using var single = runtime.Forward([rows[r]], captureStages: false);
                            var a = CompiledForward.ToArray(batch.Output, r);
                            var e = CompiledForward.ToArray(single.Output, 0);
                            if (!Same(a, e)) { differences++; break; }
                        }
                    }
                }
                ctx.Out.WriteLine($"  batch invariance: {checkedBatches} random batches, {differences} with a difference");
            }
            return (fix && counts.SilentInputs > 0) || differences > 0 ? 1 : CliApp.ExitOk;
        }));
        return cmd;
    }

    private static float[,] Forward(CompiledModel model, int[] ids)
    {
        using var runtime = new CompiledTransformer(model);
        using var f = runtime.Forward([ids], captureStages: false);
        return CompiledForward.ToArray(f.Output, 0);
    }

    private static bool Same(float[,] a, float[,] b)
    {
        if (a.GetLength(0) != b.GetLength(0) || a.GetLength(1) != b.GetLength(1)) return false;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                if (BitConverter.SingleToInt32Bits(a[i, j]) != BitConverter.SingleToInt32Bits(b[i, j])) return false;
        return true;
    }
}
