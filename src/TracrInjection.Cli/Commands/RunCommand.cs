using System.CommandLine;
using TracrInjection.Cli.Compilation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary><c>run (--model DIR | --program ID) (--input "..." | --input-json JSON | --inputs FILE | --inputs-jsonl FILE) [--json]</c>.</summary>
public static class RunCommand
{
    public static Command Create(CliContext ctx)
    {
        var source = new ModelSource();
        var inputs = new InputOptions(files: true);
        var json = new Option<bool>("--json") { Description = "Print {\"outputs\": [[...], ...]} in input order (ints as ints, floats as floats, None as null)." };
        var strict = AveragingOutput.StrictOption();
        var cmd = new Command("run",
            "Run a compiled model and print its decoded output at every position (BOS excluded), one line per input, " +
            "values separated by spaces. Tokens are matched to the vocabulary by their display string.");
        source.AddTo(cmd);
        inputs.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.Options.Add(strict);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            var sequences = inputs.Read(parse);

            var loaded = source.Resolve(parse);
            var model = loaded.Model;
            AveragingOutput.WarnCompileTime(ctx, model);
            var encoded = sequences.Select(s => Inputs.Encode(model, s.Tokens, s.Where)).ToList();

            var outputs = new Value[encoded.Count][];
            using (var runtime = new CompiledTransformer(model))
            {
                var decoder = new ResidualDecoder(model);
                foreach (var group in Enumerable.Range(0, encoded.Count).GroupBy(i => encoded[i].Length))
                {
                    var rows = group.ToList();
                    foreach (var chunk in rows.Chunk(64))
                    {
                        using var f = runtime.Forward(chunk.Select(i => encoded[i]).ToList(), captureStages: false);
                        for (int k = 0; k < chunk.Length; k++)
                        {
                            var residual = CompiledForward.ToArray(f.Output, k);
                            var report = AveragingCheck.Check(model, residual);
                            string? where = sequences[chunk[k]].Where;
                            outputs[chunk[k]] = AveragingOutput.Apply(ctx, model, report, decoder.DecodeOutput(residual), where, parse.GetValue(strict));
                        }
                    }
                }
            }

            if (parse.GetValue(json))
            {
                JsonOut.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("outputs");
                    foreach (var o in outputs) JsonOut.Values(w, o);
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                foreach (var o in outputs) ctx.Out.WriteLine(string.Join(" ", o.Select(v => v.ToString())));
            }
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
