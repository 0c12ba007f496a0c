using System.CommandLine;
using TracrInjection.Cli.Compilation;
using Spectre.Console;
using TracrInjection.Models;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary><c>trace (--model DIR | --program ID) (--input "..." | --input-json JSON) [--json] [--plot FILE.png]</c>.</summary>
public static class TraceCommand
{
    /// <summary>
    /// TransformerLens's hook name of a capture point: tracr layer l (attention then MLP) is TL block l, so the
    /// embedding is <c>blocks.0.hook_resid_pre</c>, <c>layer_l/attn</c> <c>blocks.l.hook_resid_mid</c> and <c>layer_l/mlp</c>
    /// <c>blocks.l.hook_resid_post</c> (as TransformerLens's tracr demo maps them).
    /// </summary>
    public static string? HookName(string stage)
    {
        if (stage == "embed") return "blocks.0.hook_resid_pre";
        var m = System.Text.RegularExpressions.Regex.Match(stage, @"^layer_(\d+)/(attn|mlp)$");
        if (!m.Success) return null;
        return $"blocks.{m.Groups[1].Value}.{(m.Groups[2].Value == "attn" ? "hook_resid_mid" : "hook_resid_post")}";
    }

    public static Command Create(CliContext ctx)
    {
        var source = new ModelSource();
        var input = new InputOptions(files: false);
        var json = new Option<bool>("--json")
        {
            Description = "Print {\"positions\": [...], \"labels\": [...residual labels...], \"layers\": [{\"name\": \"embed\" | \"layer_0/attn\" | ..., " +
                          "\"hook\": TransformerLens's hook name (blocks.0.hook_resid_pre, blocks.l.hook_resid_mid after layer l's attention, blocks.l.hook_resid_post after its MLP), " +
                          "\"decoded\": {\"var\": [v0, v1, ...]}}], \"output\": [...]}. Positions are the input tokens: BOS (position 0) is excluded " +
                          "everywhere, so v0 is the first input token's position.",
        };
        var plot = new Option<string>("--plot") { Description = "Also draw the residual stream as heatmaps (one panel per stage; rows = positions, BOS included; columns = residual labels) into a PNG.", HelpName = "FILE.png" };
        var cmd = new Command("trace",
            "Show every RASP variable's value at every position (BOS excluded) after the embedding and after every attention and MLP " +
            "sublayer. A categorical variable reads as the value of its largest component, or None below 0.5; a numerical one as its magnitude.");
        source.AddTo(cmd);
        input.AddTo(cmd);
        cmd.Options.Add(json);
        var strict = AveragingOutput.StrictOption();
        cmd.Options.Add(strict);
        cmd.Options.Add(plot);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            string? plotPath = parse.GetValue(plot);
            if (plotPath is not null && string.IsNullOrWhiteSpace(plotPath)) throw new CliException("--plot needs a file name");
            var tokens = input.Read(parse)[0].Tokens;
            var loaded = source.Resolve(parse);
            var model = loaded.Model;
            var ids = Inputs.Encode(model, tokens, null);

            using var runtime = new CompiledTransformer(model);
            using var forward = runtime.Forward([ids]);
            var decoder = new ResidualDecoder(model);
            AveragingOutput.WarnCompileTime(ctx, model);
            var stages = decoder.Trace(forward);
            var report = AveragingCheck.Check(model, forward.Residual(forward.Residuals.Count - 1));
            var output = AveragingOutput.Apply(ctx, model, report, decoder.DecodeOutputs(forward)[0], null, parse.GetValue(strict));
            if (report.Any && model.Options.FixTracrBugs)
            {
                // Fix mode: every variable that may depend on an average reads None at those positions.
                stages = stages.Select(st => new DecodedStage(st.Name, st.Variables.ToDictionary(kv => kv.Key,
                    kv => report.Affected.TryGetValue(kv.Key, out var a) ? kv.Value.Select((v, p) => p < a.Length && a[p] ? Value.None : v).ToArray() : kv.Value,
                    StringComparer.Ordinal))).ToList();
            }

            if (plotPath is not null)
            {
                var residuals = Enumerable.Range(0, forward.Residuals.Count).Select(s => forward.Residual(s)).ToList();
                var rowLabels = ids.Select((id, p) => $"{p}:{model.TokenVocabulary[id]}").ToList();
                byte[] png = ResidualPlot.Render(model.ResidualLabels, rowLabels, forward.StageNames, residuals,
                    $"{loaded.ProgramId ?? "model"}: residual stream on [{string.Join(" ", tokens.Select(t => t.ToString()))}]");
                AtomicFile.Write(plotPath, s => s.Write(png));
            }

            if (parse.GetValue(json))
            {
                JsonOut.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName("positions");
                    JsonOut.Values(w, tokens);
                    JsonOut.Strings(w, "labels", model.ResidualLabels);
                    w.WriteStartArray("layers");
                    foreach (var st in stages)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", st.Name);
                        if (HookName(st.Name) is { } hook) w.WriteString("hook", hook);
                        w.WriteStartObject("decoded");
                        foreach (var (name, values) in st.Variables)
                        {
                            w.WritePropertyName(name);
                            JsonOut.Values(w, values);
                        }
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WritePropertyName("output");
                    JsonOut.Values(w, output);
                    w.WriteEndObject();
                });
            }
            else
            {
                ctx.Out.WriteLine($"{loaded.Source}: input [{string.Join(" ", tokens.Select(t => t.ToString()))}] (BOS excluded)");
                foreach (var st in stages)
                {
                    var table = new Table().Border(TableBorder.Simple).Title(new TableTitle(st.Name));
                    table.AddColumn(new TableColumn(new Text("variable")));
                    for (int p = 0; p < tokens.Length; p++) table.AddColumn(new TableColumn(new Text($"{p}:{tokens[p]}")).RightAligned());
                    foreach (var (name, values) in st.Variables)
                        table.AddRow(new[] { name }.Concat(values.Select(TextOut.Show)).Select(TextOut.Cell).ToArray());
                    ctx.Console.Write(table);
                }
                ctx.Out.WriteLine($"output ({model.OutputLabel}): {string.Join(" ", output.Select(v => v.ToString()))}");
                if (plotPath is not null) ctx.Out.WriteLine($"plot written to {plotPath}");
            }
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
