using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>A compiled-model folder that cannot be written or read; the message names the file and the problem.</summary>
public sealed class CompiledModelStoreException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Saves and loads a <see cref="CompiledModel"/> as a folder: <c>model.safetensors</c> with every weight at its own
/// size and the residual-column index tensors (<c>embed/token_dims</c>, <c>embed/index_dims</c>,
/// <c>unembed/output_dims</c>, <c>layer_0/attn/head_0/{query_dims,key_dims,w_qk,value_dims,output_dims,w_ov}</c>,
/// <c>layer_0/mlp/{input_dims,w_1,output_dims,w_2}</c>, <c>compression/w_emb</c>), and <c>config.json</c> with
/// everything else (compiler options with the vocabulary's Python types, residual labels, token vocabulary,
/// output values, variables, configuration numbers, node names, repairs). Weights are float32 (F32), indices I64.
/// <para>
/// Saving is atomic: the files are written into a temporary folder next to the destination, which is then moved
/// into place (replacing an earlier model folder), so the destination is never left half-written. Loading
/// validates every file, tensor, shape and index and throws <see cref="CompiledModelStoreException"/> naming what
/// is wrong.
/// </para>
/// </summary>
public static class CompiledModelStore
{
    public const string WeightsFileName = "model.safetensors";
    public const string ConfigFileName = "config.json";
    public const string Format = "tracr-injection/compiled-model";
    public const int FormatVersion = 1;

    // ------------------------------------------------------------------------------------------------ save

    /// <summary>Writes <paramref name="model"/> to the folder <paramref name="directory"/> atomically.</summary>
    /// <param name="metadata">Free-form strings stored under <c>metadata</c> in config.json (e.g. the program id).</param>
    public static void Save(CompiledModel model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string name = Path.GetFileName(full);
        string parent = Path.GetDirectoryName(full) ?? throw new CompiledModelStoreException($"cannot save a model to the root folder '{full}'");
        if (File.Exists(full)) throw new CompiledModelStoreException($"'{directory}' is a file, not a folder");
        if (Directory.Exists(full))
        {
            var foreign = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName)
                .Where(n => n is not (WeightsFileName or ConfigFileName)).ToList();
            if (foreign.Count > 0)
                throw new CompiledModelStoreException(
                    $"'{directory}' already exists and holds other files ({string.Join(", ", foreign.Take(3))}); refusing to replace it");
        }

        var w = CompressionMatrix.For(model);
        string json = ConfigJson(model, w, metadata);
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            WriteTensors(model, w, Path.Combine(tmp, WeightsFileName));
            AtomicFile.WriteAllText(Path.Combine(tmp, ConfigFileName), json);
            if (Directory.Exists(full))
            {
                string old = Path.Combine(parent, $".{name}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.Move(full, old);
                try
                {
                    Directory.Move(tmp, full);
                }
                catch
                {
                    Directory.Move(old, full);
                    throw;
                }
                TryDelete(old);
            }
            else
            {
                Directory.Move(tmp, full);
            }
        }
        catch (Exception ex)
        {
            TryDelete(tmp);
            if (ex is CompiledModelStoreException) throw;
            throw new CompiledModelStoreException($"could not write the model folder '{directory}': {ex.Message}", ex);
        }
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void WriteTensors(CompiledModel m, float[,]? wEmb, string path)
    {
        using var scope = NewDisposeScope();
        var t = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["embed/token_dims"] = Index(m.TokenDims),
            ["embed/index_dims"] = Index(m.IndexDims),
            ["unembed/output_dims"] = Index(m.OutputDims),
        };
        for (int l = 0; l < m.Layers.Count; l++)
        {
            var layer = m.Layers[l];
            for (int h = 0; h < layer.Heads.Count; h++)
            {
                var head = layer.Heads[h];
                string p = $"layer_{l}/attn/head_{h}/";
                t[p + "query_dims"] = Index(head.QueryDims);
                t[p + "key_dims"] = Index(head.KeyDims);
                t[p + "w_qk"] = Matrix(head.WQk);
                t[p + "value_dims"] = Index(head.ValueDims);
                t[p + "output_dims"] = Index(head.OutputDims);
                t[p + "w_ov"] = Matrix(head.WOv);
            }
            if (layer.Mlp is { } mlp)
            {
                string p = $"layer_{l}/mlp/";
                t[p + "input_dims"] = Index(mlp.InputDims);
                t[p + "w_1"] = Matrix(mlp.W1);
                t[p + "output_dims"] = Index(mlp.OutputDims);
                t[p + "w_2"] = Matrix(mlp.W2);
            }
        }
        if (wEmb is not null) t["compression/w_emb"] = Matrix(wEmb);
        SafeTensorsWriter.Save(path, t, metadata: new Dictionary<string, string> { ["format"] = Format });
    }

    private static Tensor Index(int[] dims) => tensor(dims.Select(d => (long)d).ToArray(), [dims.Length], ScalarType.Int64);

    private static Tensor Matrix(float[,] m)
    {
        var flat = new float[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(float));
        return tensor(flat, [m.GetLength(0), m.GetLength(1)], ScalarType.Float32);
    }

    private static string ConfigJson(CompiledModel m, float[,]? wEmb, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("format_version", FormatVersion);
            w.WriteStartObject("metadata");
            foreach (var (k, v) in (metadata ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();

            var o = m.Options;
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
            if (wEmb is not null) w.WriteNumber("compressed_width", wEmb.GetLength(0));
            else w.WriteNull("compressed_width");
            w.WriteNumber("compression_seed", o.CompressionSeed);
            w.WriteEndObject();

            var c = m.Config;
            w.WriteStartObject("config");
            w.WriteNumber("num_layers", c.NumLayers);
            w.WriteNumber("num_heads", c.NumHeads);
            w.WriteNumber("key_size", c.KeySize);
            w.WriteNumber("mlp_hidden_size", c.MlpHiddenSize);
            w.WriteBoolean("causal", c.Causal);
            w.WriteEndObject();

            w.WriteNumber("residual_width", m.ResidualWidth);
            w.WriteStartArray("residual_labels");
            foreach (var l in m.ResidualLabels) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WritePropertyName("token_vocabulary");
            ValueJson.WriteArray(w, m.TokenVocabulary);
            w.WriteNumber("one_dim", m.OneDim);

            w.WriteStartObject("output");
            w.WriteString("label", m.OutputLabel);
            w.WriteBoolean("categorical", m.CategoricalOutput);
            w.WritePropertyName("values");
            ValueJson.WriteArray(w, m.OutputValues);
            w.WriteEndObject();

            w.WriteStartArray("variables");
            foreach (var v in m.Variables)
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
            foreach (var layer in m.Layers)
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
            foreach (var r in m.Repairs) w.WriteStringValue(r);
            w.WriteEndArray();
            DataflowJson.Write(w, m);

            w.WriteStartObject("parameters");
            w.WriteNumber("stored", m.StoredParameterCount);
            w.WriteNumber("tracr_padded", m.TracrParameterCount);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    // ------------------------------------------------------------------------------------------------ load

    /// <summary>The metadata strings stored with the model (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string directory)
    {
        using var doc = ReadConfigDocument(directory, out string path);
        var cfg = new Cfg(path);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            foreach (var p in meta.EnumerateObject()) result[p.Name] = cfg.Str(p.Value, "metadata." + p.Name);
        return result;
    }

    /// <summary>Reads and validates a folder written by <see cref="Save"/>.</summary>
    public static CompiledModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        using var doc = ReadConfigDocument(directory, out string configPath);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(weightsPath)) throw new CompiledModelStoreException($"model folder '{directory}' has no {WeightsFileName}");

        var cfg = new Cfg(configPath);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw cfg.Error("the file must hold a JSON object");
        string format = cfg.Str(cfg.Get(root, "format"), "format");
        if (format != Format) throw cfg.Error($"format is '{format}', expected '{Format}'");
        int version = cfg.Int(cfg.Get(root, "format_version"), "format_version");
        if (version != FormatVersion) throw cfg.Error($"format_version {version} is not supported (this build reads {FormatVersion})");

        // options
        var opt = cfg.Obj(root, "options");
        var vocab = cfg.Values(cfg.Get(opt, "vocab"), "options.vocab");
        int maxSeqLen = cfg.Int(cfg.Get(opt, "max_seq_len"), "options.max_seq_len");
        if (maxSeqLen < 1) throw cfg.Error($"options.max_seq_len must be at least 1, got {maxSeqLen}");
        var mlpEx = cfg.Value(cfg.Get(opt, "mlp_exactness"), "options.mlp_exactness");
        if (!mlpEx.IsNumber || mlpEx.Kind == ValueKind.Bool) throw cfg.Error("options.mlp_exactness must be a number");
        var cw = cfg.Get(opt, "compressed_width");
        int? compressedWidth = cw.ValueKind == JsonValueKind.Null ? null : cfg.Int(cw, "options.compressed_width");
        var options = new CompilerOptions
        {
            Vocab = vocab,
            MaxSeqLen = maxSeqLen,
            Causal = cfg.Bool(cfg.Get(opt, "causal"), "options.causal"),
            CompilerBos = cfg.Str(cfg.Get(opt, "compiler_bos"), "options.compiler_bos"),
            CompilerPad = cfg.Str(cfg.Get(opt, "compiler_pad"), "options.compiler_pad"),
            MlpExactness = mlpEx.AsDouble,
            FixTracrBugs = cfg.Bool(cfg.Get(opt, "fix_tracr_bugs"), "options.fix_tracr_bugs"),
            CompressedWidth = compressedWidth,
            CompressionSeed = cfg.Int(cfg.Get(opt, "compression_seed"), "options.compression_seed"),
        };

        var conf = cfg.Obj(root, "config");
        var config = new ModelConfig(
            cfg.Int(cfg.Get(conf, "num_layers"), "config.num_layers"),
            cfg.Int(cfg.Get(conf, "num_heads"), "config.num_heads"),
            cfg.Int(cfg.Get(conf, "key_size"), "config.key_size"),
            cfg.Int(cfg.Get(conf, "mlp_hidden_size"), "config.mlp_hidden_size"),
            cfg.Bool(cfg.Get(conf, "causal"), "config.causal"));
        if (config.Causal != options.Causal) throw cfg.Error("config.causal disagrees with options.causal");

        int width = cfg.Int(cfg.Get(root, "residual_width"), "residual_width");
        var labels = cfg.Strings(cfg.Get(root, "residual_labels"), "residual_labels");
        if (width < 1) throw cfg.Error($"residual_width must be positive, got {width}");
        if (labels.Count != width) throw cfg.Error($"residual_labels has {labels.Count} labels but residual_width is {width}");
        var tokenVocab = cfg.Values(cfg.Get(root, "token_vocabulary"), "token_vocabulary");
        int oneDim = cfg.Int(cfg.Get(root, "one_dim"), "one_dim");
        if (oneDim < -1 || oneDim >= width) throw cfg.Error($"one_dim {oneDim} is outside the residual (width {width})");
        if (oneDim >= 0 && labels[oneDim] != "one") throw cfg.Error($"one_dim {oneDim} points at '{labels[oneDim]}', not 'one'");

        var output = cfg.Obj(root, "output");
        string outputLabel = cfg.Str(cfg.Get(output, "label"), "output.label");
        bool categorical = cfg.Bool(cfg.Get(output, "categorical"), "output.categorical");
        var outputValues = cfg.Values(cfg.Get(output, "values"), "output.values");

        var variables = new List<ResidualVariable>();
        var varsEl = cfg.Get(root, "variables");
        if (varsEl.ValueKind != JsonValueKind.Array) throw cfg.Error("variables must be a list");
        int vi = 0;
        foreach (var v in varsEl.EnumerateArray())
        {
            string at = $"variables[{vi++}]";
            if (v.ValueKind != JsonValueKind.Object) throw cfg.Error($"{at} must be an object");
            string vname = cfg.Str(cfg.Get(v, "name", at), at + ".name");
            var dims = cfg.Ints(cfg.Get(v, "dims", at), at + ".dims");
            foreach (int d in dims)
                if (d < 0 || d >= width) throw cfg.Error($"{at} ('{vname}') has residual index {d} outside [0, {width})");
            var values = cfg.Values(cfg.Get(v, "values", at), at + ".values").Select(x => x.IsNone ? null : x).ToArray();
            if (values.Length != dims.Length) throw cfg.Error($"{at} ('{vname}') has {values.Length} values for {dims.Length} dims");
            variables.Add(new ResidualVariable(vname, cfg.Bool(cfg.Get(v, "numerical", at), at + ".numerical"), dims, values));
        }

        var repairs = cfg.Strings(cfg.Get(root, "repairs"), "repairs");
        List<DataflowNode> dataflow;
        List<string> warnings;
        try { (dataflow, warnings) = DataflowJson.Read(root); }
        catch (FormatException e) { throw cfg.Error(e.Message); }
        var layersEl = cfg.Get(root, "layers");
        if (layersEl.ValueKind != JsonValueKind.Array) throw cfg.Error("layers must be a list");
        if (layersEl.GetArrayLength() != config.NumLayers)
            throw cfg.Error($"layers has {layersEl.GetArrayLength()} entries but config.num_layers is {config.NumLayers}");

        SafeTensorsReader reader;
        try
        {
            reader = SafeTensorsReader.Open(weightsPath);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CompiledModelStoreException(ex.Message.StartsWith('\'') ? ex.Message : $"'{weightsPath}': {ex.Message}", ex);
        }
        using (reader)
        {
            var st = new Weights(reader, weightsPath, width);
            var tokenDims = st.Index("embed/token_dims", tokenVocab.Count);
            var indexDims = st.Index("embed/index_dims", maxSeqLen);
            var outputDims = st.Index("unembed/output_dims", null);
            // The index tensors must point at the labels they stand for.
            for (int i = 0; i < tokenDims.Length; i++)
                if (labels[tokenDims[i]] != $"tokens:{tokenVocab[i]}")
                    throw st.Error($"tensor 'embed/token_dims' maps token {tokenVocab[i].Repr()} to residual {tokenDims[i]} " +
                                   $"('{labels[tokenDims[i]]}'), expected 'tokens:{tokenVocab[i]}'");
            for (int p = 0; p < indexDims.Length; p++)
                if (labels[indexDims[p]] != $"indices:{p}")
                    throw st.Error($"tensor 'embed/index_dims' maps position {p} to residual {indexDims[p]} ('{labels[indexDims[p]]}'), expected 'indices:{p}'");
            foreach (int o in outputDims)
                if (labels[o] != outputLabel && !labels[o].StartsWith(outputLabel + ":", StringComparison.Ordinal))
                    throw st.Error($"tensor 'unembed/output_dims' points at residual {o} ('{labels[o]}'), not at output '{outputLabel}'");
            if (categorical && outputValues.Count != outputDims.Length)
                throw cfg.Error($"output.values has {outputValues.Count} values but {WeightsFileName} tensor 'unembed/output_dims' has {outputDims.Length} dims");
            if (!categorical && (outputDims.Length != 1 || outputValues.Count != 0))
                throw cfg.Error($"a numerical output needs exactly one output dim and no output values (got {outputDims.Length} dims, {outputValues.Count} values)");

            var layers = new List<CompiledLayer>();
            int li = 0;
            foreach (var layerEl in layersEl.EnumerateArray())
            {
                string at = $"layers[{li}]";
                if (layerEl.ValueKind != JsonValueKind.Object) throw cfg.Error($"{at} must be an object");
                var headsEl = cfg.Get(layerEl, "heads", at);
                if (headsEl.ValueKind != JsonValueKind.Array) throw cfg.Error($"{at}.heads must be a list");
                if (headsEl.GetArrayLength() > config.NumHeads)
                    throw cfg.Error($"{at} has {headsEl.GetArrayLength()} heads, more than config.num_heads {config.NumHeads}");
                var heads = new List<CompiledHead>();
                int hi = 0;
                foreach (var hEl in headsEl.EnumerateArray())
                {
                    string hat = $"{at}.heads[{hi}]";
                    string p = $"layer_{li}/attn/head_{hi}/";
                    var q = st.Index(p + "query_dims", null);
                    var k = st.Index(p + "key_dims", null);
                    var wqk = st.Matrix(p + "w_qk", q.Length, k.Length);
                    var vd = st.Index(p + "value_dims", null);
                    var od = st.Index(p + "output_dims", null);
                    var wov = st.Matrix(p + "w_ov", vd.Length, od.Length);
                    heads.Add(new CompiledHead(cfg.Str(cfg.Get(hEl, "node", hat), hat + ".node"), cfg.Str(cfg.Get(hEl, "op", hat), hat + ".op"),
                        q, k, wqk, vd, od, wov));
                    hi++;
                }
                CompiledMlp? mlp = null;
                var mEl = cfg.Get(layerEl, "mlp", at);
                if (mEl.ValueKind == JsonValueKind.Object)
                {
                    string mat = at + ".mlp";
                    string p = $"layer_{li}/mlp/";
                    int hidden = cfg.Int(cfg.Get(mEl, "hidden_size", mat), mat + ".hidden_size");
                    if (hidden < 0) throw cfg.Error($"{mat}.hidden_size must not be negative");
                    if (hidden > config.MlpHiddenSize)
                        throw cfg.Error($"{mat}.hidden_size {hidden} exceeds config.mlp_hidden_size {config.MlpHiddenSize}");
                    var inDims = st.Index(p + "input_dims", null);
                    var w1 = st.Matrix(p + "w_1", inDims.Length, hidden);
                    var outDims = st.Index(p + "output_dims", null);
                    var w2 = st.Matrix(p + "w_2", hidden, outDims.Length);
                    var hiddenLabels = cfg.Strings(cfg.Get(mEl, "hidden_labels", mat), mat + ".hidden_labels");
                    if (hiddenLabels.Count != hidden)
                        throw cfg.Error($"{mat}.hidden_labels has {hiddenLabels.Count} labels but hidden_size is {hidden}");
                    mlp = new CompiledMlp(cfg.Strings(cfg.Get(mEl, "nodes", mat), mat + ".nodes"), inDims, w1, outDims, w2, hiddenLabels);
                }
                else if (mEl.ValueKind != JsonValueKind.Null)
                {
                    throw cfg.Error($"{at}.mlp must be an object or null");
                }
                layers.Add(new CompiledLayer(heads, mlp));
                li++;
            }

            float[,]? wEmb = null;
            if (compressedWidth is int cwidth)
            {
                if (cwidth < 1) throw cfg.Error($"options.compressed_width must be positive, got {cwidth}");
                wEmb = st.Matrix("compression/w_emb", cwidth, width);
            }
            st.CheckAllUsed();

            var model = new CompiledModel
            {
                Options = options,
                OutputLabel = outputLabel,
                ResidualLabels = labels,
                TokenVocabulary = tokenVocab,
                TokenDims = tokenDims,
                OneDim = oneDim,
                IndexDims = indexDims,
                OutputDims = outputDims,
                CategoricalOutput = categorical,
                OutputValues = outputValues,
                Layers = layers,
                Config = config,
                Variables = variables,
                Compression = wEmb,
                Repairs = repairs,
                Dataflow = dataflow,
                Warnings = warnings,
            };
            if (model.IndexOfToken(Value.Str(options.CompilerBos)) < 0)
                throw cfg.Error($"token_vocabulary lacks the BOS token '{options.CompilerBos}'");
            if (model.IndexOfToken(Value.Str(options.CompilerPad)) < 0)
                throw cfg.Error($"token_vocabulary lacks the PAD token '{options.CompilerPad}'");
            return model;
        }
    }

    private static JsonDocument ReadConfigDocument(string directory, out string path)
    {
        if (!Directory.Exists(directory))
            throw new CompiledModelStoreException(File.Exists(directory)
                ? $"'{directory}' is a file, not a model folder"
                : $"model folder '{directory}' does not exist");
        path = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(path)) throw new CompiledModelStoreException($"model folder '{directory}' has no {ConfigFileName}");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new CompiledModelStoreException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CompiledModelStoreException($"cannot read '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Typed access to config.json with errors that name the file and the field.</summary>
    private sealed class Cfg(string path)
    {
        public CompiledModelStoreException Error(string what) => new($"'{path}': {what}");

        public JsonElement Get(JsonElement obj, string name, string? at = null) =>
            obj.TryGetProperty(name, out var e) ? e : throw Error($"field '{(at is null ? "" : at + ".")}{name}' is missing");

        public JsonElement Obj(JsonElement obj, string name)
        {
            var e = Get(obj, name);
            return e.ValueKind == JsonValueKind.Object ? e : throw Error($"field '{name}' must be an object");
        }

        public string Str(JsonElement e, string what) =>
            e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error($"field '{what}' must be a string, got {Show(e)}");

        public int Int(JsonElement e, string what) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i : throw Error($"field '{what}' must be an integer, got {Show(e)}");

        public bool Bool(JsonElement e, string what) => e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"field '{what}' must be true or false, got {Show(e)}"),
        };

        public Value Value(JsonElement e, string what)
        {
            try { return ValueJson.Read(e, what); }
            catch (InvalidDataException ex) { throw Error(ex.Message); }
        }

        public List<Value> Values(JsonElement e, string what) =>
            e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select((x, i) => Value(x, $"{what}[{i}]")).ToList()
                : throw Error($"field '{what}' must be a list, got {Show(e)}");

        public List<string> Strings(JsonElement e, string what) =>
            e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select((x, i) => Str(x, $"{what}[{i}]")).ToList()
                : throw Error($"field '{what}' must be a list of strings, got {Show(e)}");

        public int[] Ints(JsonElement e, string what) =>
            e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select((x, i) => Int(x, $"{what}[{i}]")).ToArray()
                : throw Error($"field '{what}' must be a list of integers, got {Show(e)}");

        private static string Show(JsonElement e)
        {
            string raw = e.GetRawText();
            return raw.Length > 40 ? raw[..40] + "…" : raw;
        }
    }

    /// <summary>Typed, validated access to the safetensors file; remembers which tensors were read.</summary>
    private sealed class Weights(SafeTensorsReader reader, string path, int width)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public CompiledModelStoreException Error(string what) => new($"'{path}': {what}");

        private SafeTensorInfo Info(string name, SafeTensorsDType dtype, int rank)
        {
            if (!reader.Tensors.TryGetValue(name, out var info)) throw Error($"tensor '{name}' is missing");
            _used.Add(name);
            if (info.DType != dtype)
                throw Error($"tensor '{name}' has dtype {SafeTensorsReader.DTypeName(info.DType)}, expected {SafeTensorsReader.DTypeName(dtype)}");
            if (info.Shape.Length != rank)
                throw Error($"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected {rank} dimension(s)");
            return info;
        }

        private byte[] Bytes(string name)
        {
            try { return reader.ReadBytes(name); }
            catch (Exception ex) when (ex is IOException or InvalidDataException) { throw Error($"tensor '{name}': {ex.Message}"); }
        }

        public int[] Index(string name, int? expectedLength)
        {
            var info = Info(name, SafeTensorsDType.I64, 1);
            if (expectedLength is int n && info.Shape[0] != n)
                throw Error($"tensor '{name}' has {info.Shape[0]} entries, expected {n}");
            var bytes = Bytes(name);
            var r = new int[info.Shape[0]];
            for (int i = 0; i < r.Length; i++)
            {
                long v = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8, 8));
                if (v < 0 || v >= width) throw Error($"tensor '{name}' entry {i} is residual index {v}, outside [0, {width})");
                r[i] = (int)v;
            }
            return r;
        }

        public float[,] Matrix(string name, int rows, int cols)
        {
            var info = Info(name, SafeTensorsDType.F32, 2);
            if (info.Shape[0] != rows || info.Shape[1] != cols)
                throw Error($"tensor '{name}' has shape [{info.Shape[0]}, {info.Shape[1]}], expected [{rows}, {cols}]");
            var bytes = Bytes(name);
            var m = new float[rows, cols];
            var span = bytes.AsSpan();
            int k = 0;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++, k++)
                {
                    float v = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(k * 4, 4));
                    if (!float.IsFinite(v)) throw Error($"tensor '{name}' has a non-finite value at [{r}, {c}]");
                    m[r, c] = v;
                }
            return m;
        }

        public void CheckAllUsed()
        {
            var extra = reader.Tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (extra.Count > 0)
                throw Error($"unexpected tensor '{extra[0]}' (the model description in {ConfigFileName} does not use it)");
        }
    }
}
