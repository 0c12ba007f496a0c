using System.CommandLine;
using TracrInjection.Cli.Compilation;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary><c>inspect (--model DIR | --program ID) [--json]</c>: shape, size and layout of a compiled model.</summary>
public static class InspectCommand
{
    public static Command Create(CliContext ctx)
    {
        var source = new ModelSource();
        var json = new Option<bool>("--json") { Description = "Print the figures, the sublayer table and residual_labels (tracr's order) as JSON." };
        var cmd = new Command("inspect",
            "Residual width, layers, heads, key_size, MLP hidden size, parameter counts (stored at own size vs tracr's padded layout), " +
            "the sublayer-by-sublayer layout and the residual labels.");
        source.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction(parse => CliApp.Guard(ctx, () =>
        {
            var loaded = source.Resolve(parse);
            var m = loaded.Model;
            AveragingOutput.WarnCompileTime(ctx, m);
            var size = ModelSizeReport.Of(m);
            long runtimeBytes;
            using (var rt = new CompiledTransformer(m)) runtimeBytes = rt.TensorBytes;
            var slots = new List<(string Slot, string Kind, IReadOnlyList<string> Nodes, int Heads, int Hidden)>();
            for (int l = 0; l < m.Layers.Count; l++)
            {
                var layer = m.Layers[l];
                slots.Add(($"layer_{l}/attn", "attn", layer.Heads.Select(h => h.Node).ToList(), layer.Heads.Count, 0));
                slots.Add(($"layer_{l}/mlp", "mlp", layer.Mlp?.Nodes ?? [], 0, layer.Mlp?.HiddenSize ?? 0));
            }

            if (parse.GetValue(json))
            {
                JsonOut.Write(ctx, w =>
                {
                    w.WriteStartObject();
                    if (loaded.ProgramId is { } id) w.WriteString("program", id);
                    else w.WriteNull("program");
                    w.WriteNumber("residual_width", size.ResidualWidth);
                    if (size.CompressedWidth is int cw) w.WriteNumber("compressed_width", cw);
                    else w.WriteNull("compressed_width");
                    w.WriteNumber("num_layers", size.Layers);
                    w.WriteNumber("num_heads", size.MaxHeads);
                    w.WriteNumber("key_size", size.KeySize);
                    w.WriteNumber("mlp_hidden_size", size.MlpHiddenSize);
                    w.WriteBoolean("causal", m.Config.Causal);
                    w.WriteNumber("max_seq_len", m.MaxSeqLen);
                    w.WritePropertyName("vocab");
                    JsonOut.Values(w, m.Options.Vocab);
                    w.WriteStartObject("parameters");
                    w.WriteNumber("stored", size.StoredParameters);
                    w.WriteNumber("stored_bytes", size.StoredBytes);
                    w.WriteNumber("tracr_padded", size.TracrParameters);
                    w.WriteNumber("tracr_padded_bytes", size.TracrBytes);
                    w.WriteNumber("compression_parameters", size.CompressionParameters);
                    w.WriteNumber("index_entries", size.IndexEntries);
                    w.WriteNumber("runtime_tensor_bytes", runtimeBytes);
                    w.WriteEndObject();
                    w.WriteStartObject("output");
                    w.WriteString("label", m.OutputLabel);
                    w.WriteString("encoding", m.CategoricalOutput ? "categorical" : "numerical");
                    w.WritePropertyName("values");
                    JsonOut.Values(w, m.OutputValues);
                    w.WriteEndObject();
                    w.WriteStartArray("sublayers");
                    foreach (var s in slots)
                    {
                        w.WriteStartObject();
                        w.WriteString("slot", s.Slot);
                        w.WriteString("kind", s.Kind);
                        JsonOut.Strings(w, "nodes", s.Nodes);
                        w.WriteNumber("heads", s.Heads);
                        w.WriteNumber("hidden", s.Hidden);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    JsonOut.Strings(w, "repairs", m.Repairs);
                    CompiledModelConfigJson.WriteTracrDefects(w, m.TracrDefects);
                    JsonOut.Strings(w, "residual_labels", m.ResidualLabels);
                    w.WriteEndObject();
                });
                return CliApp.ExitOk;
            }

            var o = ctx.Out;
            o.WriteLine($"{loaded.Source}{(loaded.ProgramId is { } pid && !loaded.Source.Contains(pid) ? $" (program '{pid}')" : "")}");
            o.WriteLine($"  vocab {TextOut.Abbreviate(m.Options.Vocab)}, max_seq_len {m.MaxSeqLen}, causal {(m.Config.Causal ? "yes" : "no")}, " +
                        $"mlp_exactness {TextOut.Show(Value.Float(m.Options.MlpExactness))}, BOS '{m.Options.CompilerBos}', PAD '{m.Options.CompilerPad}'");
            o.WriteLine($"  residual width {size.ResidualWidth}{(size.CompressedWidth is int c ? $" (compressed to {c})" : "")}, layers {size.Layers}, " +
                        $"heads {size.MaxHeads}, key_size {size.KeySize}, mlp_hidden_size {size.MlpHiddenSize}");
            o.WriteLine($"  parameters: {size.StoredParameters:N0} stored ({ModelSizeReport.FormatBytes(size.StoredBytes)}) vs tracr padded " +
                        $"{size.TracrParameters:N0} ({ModelSizeReport.FormatBytes(size.TracrBytes)}), ×{size.Reduction:0.0} smaller; " +
                        $"runtime tensors {ModelSizeReport.FormatBytes(runtimeBytes)} (incl. {size.IndexEntries:N0} residual indices)");
            if (size.CompressedWidth is int dd)
                o.WriteLine($"  compression w_emb [{dd} × {size.ResidualWidth}]: {size.CompressionParameters:N0} more parameters " +
                            (dd < size.ResidualWidth ? "(untrained random projection: outputs are lossy)" : dd == size.ResidualWidth ? "(identity)" : "(orthonormal columns: lossless)"));
            o.WriteLine($"  output {m.OutputLabel} ({(m.CategoricalOutput ? "categorical" : "numerical")})");
            foreach (var r in m.Repairs) o.WriteLine("  repair: " + r);
            var table = TextOut.Table("slot", "nodes", "heads", "hidden width");
            foreach (var s in slots)
                TextOut.Row(table, s.Slot, s.Nodes.Count == 0 ? "—" : string.Join(", ", s.Nodes),
                    s.Kind == "attn" ? s.Heads.ToString() : "", s.Kind == "mlp" ? s.Hidden.ToString() : "");
            ctx.Console.Write(table);
            o.WriteLine($"residual labels ({m.ResidualLabels.Count}): {string.Join(", ", m.ResidualLabels)}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
