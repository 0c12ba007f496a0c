using System.Text;
using System.Text.Json;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// The one serializer of <see cref="CompiledModelConfig"/>: every config.json field name is written here, once for
/// writing and once for reading. Values keep their Python types (<see cref="ValueJson"/>), so that a vocabulary of
/// <c>1</c> and <c>'1'</c> reads back as it was compiled.
/// </summary>
public static class CompiledModelConfigJson
{
    /// <summary>The <c>tracr_defects</c> list, as config.json and <c>inspect --json</c> both write it.</summary>
    public static void WriteTracrDefects(Utf8JsonWriter w, IEnumerable<TracrDefect> defects)
    {
        w.WriteStartArray("tracr_defects");
        foreach (var d in defects)
        {
            w.WriteStartObject();
            w.WriteString("label", d.Label);
            w.WriteString("bug", d.Bug);
            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static string Write(CompiledModelConfig c, int formatVersion = CompiledModelConfig.FormatVersion)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", CompiledModelConfig.Format);
            w.WriteNumber("format_version", formatVersion);
            w.WriteStartObject("metadata");
            foreach (var (k, v) in c.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();

            var o = c.Options;
            w.WriteStartObject("options");
            w.WritePropertyName("vocab");
            ValueJson.WriteArray(w, o.Vocab);
            w.WriteNumber("max_seq_len", o.MaxSeqLen);
            w.WriteBoolean("causal", o.Causal);
            w.WriteString("compiler_bos", o.CompilerBos);
            w.WriteString("compiler_pad", o.CompilerPad);
            w.WritePropertyName("mlp_exactness");
            ValueJson.Write(w, Value.Float(o.MlpExactness));
            w.WriteBoolean("fix_tracr_bugs", o.FixTracrBugs);
            if (o.CompressedWidth is int cw) w.WriteNumber("compressed_width", cw);
            else w.WriteNull("compressed_width");
            w.WriteNumber("compression_seed", o.CompressionSeed);
            w.WriteEndObject();

            w.WriteStartObject("config");
            w.WriteNumber("num_layers", c.Config.NumLayers);
            w.WriteNumber("num_heads", c.Config.NumHeads);
            w.WriteNumber("key_size", c.Config.KeySize);
            w.WriteNumber("mlp_hidden_size", c.Config.MlpHiddenSize);
            w.WriteBoolean("causal", c.Config.Causal);
            w.WriteEndObject();

            w.WriteNumber("residual_width", c.ResidualWidth);
            w.WriteStartArray("residual_labels");
            foreach (var l in c.ResidualLabels) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WritePropertyName("token_vocabulary");
            ValueJson.WriteArray(w, c.TokenVocabulary);
            w.WriteNumber("one_dim", c.OneDim);

            w.WriteStartObject("output");
            w.WriteString("label", c.OutputLabel);
            w.WriteBoolean("categorical", c.CategoricalOutput);
            w.WritePropertyName("values");
            ValueJson.WriteArray(w, c.OutputValues);
            w.WriteEndObject();

            w.WriteStartArray("variables");
            foreach (var v in c.Variables)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteBoolean("numerical", v.Numerical);
                w.WriteStartArray("dims");
                foreach (int d in v.Dims) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WritePropertyName("values");
                ValueJson.WriteArray(w, v.Values.Select(x => x ?? Value.None));
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("layers");
            foreach (var layer in c.Layers)
            {
                w.WriteStartObject();
                w.WriteStartArray("heads");
                foreach (var h in layer.Heads)
                {
                    w.WriteStartObject();
                    w.WriteString("node", h.Node);
                    w.WriteString("op", h.Op);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (layer.Mlp is { } mlp)
                {
                    w.WriteStartObject("mlp");
                    w.WriteStartArray("nodes");
                    foreach (var n in mlp.Nodes) w.WriteStringValue(n);
                    w.WriteEndArray();
                    w.WriteNumber("hidden_size", mlp.HiddenSize);
                    w.WriteStartArray("hidden_labels");
                    foreach (var n in mlp.HiddenLabels) w.WriteStringValue(n);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("mlp");
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("repairs");
            foreach (var r in c.Repairs) w.WriteStringValue(r);
            w.WriteEndArray();
            DataflowJson.Write(w, c.Dataflow, c.Warnings);
            WriteTracrDefects(w, c.TracrDefects);

            w.WriteStartObject("parameters");
            w.WriteNumber("stored", c.StoredParameters);
            w.WriteNumber("tracr_padded", c.TracrPaddedParameters);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Only the <c>metadata</c> strings (empty when there are none), without reading the rest.</summary>
    internal static Dictionary<string, string> ReadMetadata(JsonElement root, ConfigFields f)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            foreach (var p in meta.EnumerateObject()) result[p.Name] = f.Str(p.Value, "metadata." + p.Name);
        return result;
    }

    /// <summary>Reads every field with its type checked; the rules between fields are <see cref="CompiledModelConfig.Validate"/>'s.</summary>
    internal static CompiledModelConfig Read(JsonElement root, ConfigFields f)
    {
        if (root.ValueKind != JsonValueKind.Object) throw f.Error("the file must hold a JSON object");
        string format = f.Str(f.Get(root, "format"), "format");
        if (format != CompiledModelConfig.Format) throw f.Error($"format is '{format}', expected '{CompiledModelConfig.Format}'");
        int version = f.Int(f.Get(root, "format_version"), "format_version");
        if (version < CompiledModelConfig.OldestFormatVersion || version > CompiledModelConfig.FormatVersion)
            throw f.Error($"format_version {version} is not supported (this build reads {CompiledModelConfig.OldestFormatVersion} to {CompiledModelConfig.FormatVersion})");

        var opt = f.Obj(root, "options");
        var vocab = f.Values(f.Get(opt, "vocab"), "options.vocab");
        int maxSeqLen = f.Int(f.Get(opt, "max_seq_len"), "options.max_seq_len");
        var mlpEx = f.Value(f.Get(opt, "mlp_exactness"), "options.mlp_exactness");
        if (!mlpEx.IsNumber || mlpEx.Kind == ValueKind.Bool) throw f.Error("options.mlp_exactness must be a number");
        var cw = f.Get(opt, "compressed_width");
        var options = new CompilerOptions
        {
            Vocab = vocab,
            MaxSeqLen = maxSeqLen,
            Causal = f.Bool(f.Get(opt, "causal"), "options.causal"),
            CompilerBos = f.Str(f.Get(opt, "compiler_bos"), "options.compiler_bos"),
            CompilerPad = f.Str(f.Get(opt, "compiler_pad"), "options.compiler_pad"),
            MlpExactness = mlpEx.AsDouble,
            FixTracrBugs = f.Bool(f.Get(opt, "fix_tracr_bugs"), "options.fix_tracr_bugs"),
            CompressedWidth = cw.ValueKind == JsonValueKind.Null ? null : f.Int(cw, "options.compressed_width"),
            CompressionSeed = f.Int(f.Get(opt, "compression_seed"), "options.compression_seed"),
        };

        var conf = f.Obj(root, "config");
        var config = new ModelConfig(
            f.Int(f.Get(conf, "num_layers"), "config.num_layers"),
            f.Int(f.Get(conf, "num_heads"), "config.num_heads"),
            f.Int(f.Get(conf, "key_size"), "config.key_size"),
            f.Int(f.Get(conf, "mlp_hidden_size"), "config.mlp_hidden_size"),
            f.Bool(f.Get(conf, "causal"), "config.causal"));

        int width = f.Int(f.Get(root, "residual_width"), "residual_width");
        var labels = f.Strings(f.Get(root, "residual_labels"), "residual_labels");
        var tokenVocab = f.Values(f.Get(root, "token_vocabulary"), "token_vocabulary");
        int oneDim = f.Int(f.Get(root, "one_dim"), "one_dim");

        var output = f.Obj(root, "output");
        string outputLabel = f.Str(f.Get(output, "label"), "output.label");
        bool categorical = f.Bool(f.Get(output, "categorical"), "output.categorical");
        var outputValues = f.Values(f.Get(output, "values"), "output.values");

        var variables = new List<ResidualVariable>();
        var varsEl = f.Get(root, "variables");
        if (varsEl.ValueKind != JsonValueKind.Array) throw f.Error("variables must be a list");
        int vi = 0;
        foreach (var v in varsEl.EnumerateArray())
        {
            string at = $"variables[{vi++}]";
            if (v.ValueKind != JsonValueKind.Object) throw f.Error($"{at} must be an object");
            string name = f.Str(f.Get(v, "name", at), at + ".name");
            var dims = f.Ints(f.Get(v, "dims", at), at + ".dims");
            var values = f.Values(f.Get(v, "values", at), at + ".values").Select(x => x.IsNone ? null : x).ToArray();
            variables.Add(new ResidualVariable(name, f.Bool(f.Get(v, "numerical", at), at + ".numerical"), dims, values));
        }

        var repairs = f.Strings(f.Get(root, "repairs"), "repairs");
        List<DataflowNode> dataflow;
        List<string> warnings;
        try { (dataflow, warnings) = DataflowJson.Read(root); }
        catch (FormatException e) { throw f.Error(e.Message); }
        var defects = new List<TracrDefect>();
        if (root.TryGetProperty("tracr_defects", out var defectsEl)) // absent in folders written before issue 11
        {
            if (defectsEl.ValueKind != JsonValueKind.Array) throw f.Error("tracr_defects must be a list");
            int di = 0;
            foreach (var d in defectsEl.EnumerateArray())
            {
                string at = $"tracr_defects[{di++}]";
                if (d.ValueKind != JsonValueKind.Object) throw f.Error($"{at} must be an object");
                defects.Add(new TracrDefect(f.Str(f.Get(d, "label", at), at + ".label"), f.Str(f.Get(d, "bug", at), at + ".bug"),
                    f.Str(f.Get(d, "message", at), at + ".message")));
            }
        }
        var layersEl = f.Get(root, "layers");
        if (layersEl.ValueKind != JsonValueKind.Array) throw f.Error("layers must be a list");
        var layers = new List<CompiledModelConfig.LayerDescription>();
        int li = 0;
        foreach (var layerEl in layersEl.EnumerateArray())
        {
            string at = $"layers[{li++}]";
            if (layerEl.ValueKind != JsonValueKind.Object) throw f.Error($"{at} must be an object");
            var headsEl = f.Get(layerEl, "heads", at);
            if (headsEl.ValueKind != JsonValueKind.Array) throw f.Error($"{at}.heads must be a list");
            var heads = headsEl.EnumerateArray().Select((h, hi) => new CompiledModelConfig.HeadDescription(
                f.Str(f.Get(h, "node", $"{at}.heads[{hi}]"), $"{at}.heads[{hi}].node"),
                f.Str(f.Get(h, "op", $"{at}.heads[{hi}]"), $"{at}.heads[{hi}].op"))).ToList();
            CompiledModelConfig.MlpDescription? mlp = null;
            var mEl = f.Get(layerEl, "mlp", at);
            if (mEl.ValueKind == JsonValueKind.Object)
            {
                string mat = at + ".mlp";
                mlp = new CompiledModelConfig.MlpDescription(
                    f.Strings(f.Get(mEl, "nodes", mat), mat + ".nodes"),
                    f.Int(f.Get(mEl, "hidden_size", mat), mat + ".hidden_size"),
                    f.Strings(f.Get(mEl, "hidden_labels", mat), mat + ".hidden_labels"));
            }
            else if (mEl.ValueKind != JsonValueKind.Null)
            {
                throw f.Error($"{at}.mlp must be an object or null");
            }
            layers.Add(new CompiledModelConfig.LayerDescription(heads, mlp));
        }

        return new CompiledModelConfig
        {
            Metadata = ReadMetadata(root, f),
            Options = options,
            Config = config,
            ResidualWidth = width,
            ResidualLabels = labels,
            TokenVocabulary = tokenVocab,
            OneDim = oneDim,
            OutputLabel = outputLabel,
            CategoricalOutput = categorical,
            OutputValues = outputValues,
            Variables = variables,
            Layers = layers,
            Repairs = repairs,
            Dataflow = dataflow,
            Warnings = warnings,
            TracrDefects = defects,
        };
    }
}
