using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TracrInjection.Cli.Compilation;
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
        var settings = new CompileFlags(all: true);
        var output = new Option<string>("--out", "-o") { Description = "Output folder (written atomically; an earlier model folder there is replaced).", Required = true, HelpName = "DIR" };

        var dense = new Option<bool>("--dense")
        {
            Description = "Store every weight matrix dense, as tracr holds them (format version 1, readable by older builds). " +
                          "By default a mostly-zero MLP matrix is stored in compressed sparse rows (format version 2).",
        };
        var cmd = new Command("compile", "Compile a registered RASP program or a .rasp file into a model folder (model.safetensors + config.json).")
        {
            program,
        };
        settings.AddTo(cmd);
        cmd.Options.Add(output);
        cmd.Options.Add(dense);
        var strict = AveragingOutput.StrictOption();
        strict.Description = "Fail (exit 2) on a compile-time warning (a categorical aggregate that provably averages several positions).";
        cmd.Options.Add(strict);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            string outDir = parse.GetValue(output) ?? "";
            if (string.IsNullOrWhiteSpace(outDir)) throw new CliException("--out needs a folder path");
            var spec = Compile.Spec(parse.GetValue(program)!);
            var options = settings.Apply(parse, spec);

            var loaded = Compile.Run(spec, options);
            var model = loaded.Model;
            if (parse.GetValue(strict) && model.Warnings.Count > 0) throw new CliException($"{model.Warnings[0]} (--strict)");
            AveragingOutput.WarnCompileTime(ctx, model);
            var sw = Stopwatch.StartNew();
            string programArg = parse.GetValue(program)!;
            string? text = Compile.IsRaspFile(programArg) ? File.ReadAllText(programArg) : null; // verify --model rebuilds the program from it
            ModelFolder.Save(model, outDir, spec.Id, spec.Source, "tracr-inject compile", loaded.CompileSeconds, parse.GetValue(dense), text);
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
