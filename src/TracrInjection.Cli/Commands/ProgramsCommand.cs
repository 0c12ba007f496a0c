using System.CommandLine;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary><c>programs [--json]</c>: the registered programs and their default compile settings.</summary>
public static class ProgramsCommand
{
    public static Command Create(CliContext ctx)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"programs\": [...]} as JSON." };
        var cmd = new Command("programs", "List the registered RASP programs with their default compile settings.") { json };
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            var all = ProgramRegistry.All;
            if (parse.GetValue(json))
            {
                JsonOut.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("programs");
                    foreach (var p in all)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", p.Id);
                        w.WriteString("description", p.Description);
                        w.WriteString("source", p.Source);
                        w.WritePropertyName("vocab");
                        JsonOut.Values(w, p.Vocab);
                        w.WriteNumber("max_seq_len", p.MaxSeqLen);
                        w.WriteBoolean("causal", p.Causal);
                        w.WritePropertyName("mlp_exactness");
                        JsonOut.Value(w, Value.Float(p.MlpExactness));
                        w.WriteString("compiler_bos", p.CompilerBos);
                        w.WriteString("compiler_pad", p.CompilerPad);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return CliApp.ExitOk;
            }
            var table = TextOut.Table("id", "vocab", "N", "causal", "exactness", "description");
            foreach (var p in all)
                TextOut.Row(table, p.Id, TextOut.Abbreviate(p.Vocab, 5), p.MaxSeqLen.ToString(), p.Causal ? "yes" : "no",
                    TextOut.Show(Value.Float(p.MlpExactness)), p.Description);
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{all.Count} programs. Compile one with: tracr-inject compile --program ID --out DIR");
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
