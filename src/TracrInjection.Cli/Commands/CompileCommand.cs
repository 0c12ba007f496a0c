using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Cli.Commands;

/// <summary><c>compile --program ID [overrides] --out DIR</c>: compile and save a model folder.</summary>
public static class CompileCommand
{
    public static Command Create(CliContext ctx)
    {
        var program = new Option<string>("--program", "-p")
        {
            Description = "Registered program id (see 'programs') or a RASP file (.rasp; its header sets vocab, max_seq_len, causal...).",
            Required = true,
            HelpName = "ID|FILE.rasp",
        };
        var vocab = new Option<string>("--vocab")
        {
            Description = "Comma-separated vocabulary. Items are strings when the program's registered vocabulary is all strings, " +
                          "else Python literals (1, 2.5, True, ...). Default: the registered vocabulary.",
            HelpName = "a,b,c",
        };
        var maxSeqLen = new Option<int?>("--max-seq-len") { Description = "Maximum sequence length N (without BOS). Default: registered.", HelpName = "N" };
        var bos = new Option<string>("--bos") { Description = "The compiler's BOS token. Default: registered.", HelpName = "TOKEN" };
        var pad = new Option<string>("--pad") { Description = "The compiler's PAD token. Default: registered.", HelpName = "TOKEN" };
        var causal = new Option<bool?>("--causal") { Description = "Compile with a causal attention mask (--causal or --causal false). Default: registered." };
        var exactness = new Option<double?>("--mlp-exactness") { Description = "tracr's mlp_exactness (> 0). Default: registered (usually 100).", HelpName = "X" };
        var compress = new Option<int?>("--compress")
        {
            Description = "Residual width d of tracr's compressed model: w_emb [d × D] is the identity when d = D, else a seeded random " +
                          "matrix with orthonormal rows (untrained, so d < D gives lossy outputs).",
            HelpName = "D",
        };
        var seed = new Option<int>("--compression-seed") { Description = "Seed of the random compression matrix (default 0).", HelpName = "SEED" };
        var fix = new Option<bool>("--fix-tracr-bugs") { Description = "Repair the places where tracr's construction disagrees with RASP (spec §11)." };
        var output = new Option<string>("--out", "-o") { Description = "Output folder (written atomically; an earlier model folder there is replaced).", Required = true, HelpName = "DIR" };

        var cmd = new Command("compile", "Compile a registered RASP program or a .rasp file into a model folder (model.safetensors + config.json).")
        {
            program, vocab, maxSeqLen, bos, pad, causal, exactness, compress, seed, fix, output,
        };
        var strict = AveragingOutput.StrictOption();
        strict.Description = "Fail (exit 2) on a compile-time warning (a categorical aggregate that provably averages several positions).";
        cmd.Options.Add(strict);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            string outDir = parse.GetValue(output) ?? "";
            if (string.IsNullOrWhiteSpace(outDir)) throw new CliException("--out needs a folder path");
            var spec = Compile.Spec(parse.GetValue(program)!);
            var options = Compile.DefaultOptions(spec);
            if (parse.GetValue(vocab) is { } v) options = options with { Vocab = Compile.ParseVocab(v, spec) };
            if (parse.GetValue(maxSeqLen) is int n)
            {
                if (n < 1) throw new CliException($"--max-seq-len must be at least 1 (got {n})");
                options = options with { MaxSeqLen = n };
            }
            if (parse.GetValue(bos) is { } b)
            {
                if (b.Length == 0) throw new CliException("--bos must not be empty");
                options = options with { CompilerBos = b };
            }
            if (parse.GetValue(pad) is { } p)
            {
                if (p.Length == 0) throw new CliException("--pad must not be empty");
                options = options with { CompilerPad = p };
            }
            if (parse.GetValue(causal) is bool c) options = options with { Causal = c };
            if (parse.GetValue(exactness) is double x)
            {
                if (!(x > 0) || double.IsInfinity(x)) throw new CliException($"--mlp-exactness must be a positive number (got {x.ToString(CultureInfo.InvariantCulture)})");
                options = options with { MlpExactness = x };
            }
            if (parse.GetValue(compress) is int d)
            {
                if (d < 1) throw new CliException($"--compress must be at least 1 (got {d})");
                options = options with { CompressedWidth = d };
            }
            options = options with { CompressionSeed = parse.GetValue(seed), FixTracrBugs = parse.GetValue(fix) };

            var loaded = Compile.Run(spec, options);
            var model = loaded.Model;
            if (parse.GetValue(strict) && model.Warnings.Count > 0) throw new CliException($"{model.Warnings[0]} (--strict)");
            AveragingOutput.WarnCompileTime(ctx, model);
            var sw = Stopwatch.StartNew();
            CompiledModelStore.Save(model, outDir, new Dictionary<string, string>
            {
                ["program"] = spec.Id,
                ["source"] = spec.Source,
                ["created_by"] = "tracr-inject compile",
                ["compile_seconds"] = loaded.CompileSeconds.ToString("0.000", CultureInfo.InvariantCulture),
            });
            var size = ModelSizeReport.Of(model);
            string compressed = size.CompressedWidth is int cw ? $", compressed width {cw}" : "";
            ctx.Out.WriteLine(
                $"compiled {spec.Id} → {outDir}: width {size.ResidualWidth}{compressed}, layers {size.Layers}, heads {size.MaxHeads}, " +
                $"key_size {size.KeySize}, mlp_hidden {size.MlpHiddenSize}, params {size.StoredParameters:N0} stored " +
                $"({ModelSizeReport.FormatBytes(size.StoredBytes)}; tracr padded {size.TracrParameters:N0}, {ModelSizeReport.FormatBytes(size.TracrBytes)}), " +
                $"compile {Inputs.Show(loaded.CompileSeconds)}, save {Inputs.Show(sw.Elapsed.TotalSeconds)}");
            foreach (var r in model.Repairs) ctx.Out.WriteLine("  repair: " + r);
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
