using System.Text.Json;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Checkpoints;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// Reads a compiled-model folder and checks it completely: config.json against itself
/// (<see cref="CompiledModelConfig.Validate"/>), then every tensor's dtype, shape and residual indices against the
/// config. A folder edited by hand or cut short is rejected with one message naming the file and the field, never
/// loaded into a model that decodes wrongly.
/// </summary>
public static class CompiledModelReader
{
    /// <summary>The metadata strings stored with the model (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string directory)
    {
        using var doc = ReadConfigDocument(directory, out string path);
        return CompiledModelConfigJson.ReadMetadata(doc.RootElement, new ConfigFields(path));
    }

    public static CompiledModel Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        using var doc = ReadConfigDocument(directory, out string configPath);
        string weightsPath = Path.Combine(directory, CompiledModelStore.WeightsFileName);
        if (!File.Exists(weightsPath)) throw new CompiledModelStoreException($"model folder '{directory}' has no {CompiledModelStore.WeightsFileName}");
        var fields = new ConfigFields(configPath);
        var c = CompiledModelConfigJson.Read(doc.RootElement, fields);
        c.Validate(fields.Error);

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
            return Build(c, new CheckedTensors(reader, weightsPath, c.ResidualWidth), fields);
        }
    }

    private static CompiledModel Build(CompiledModelConfig c, CheckedTensors st, ConfigFields fields)
    {
        var labels = c.ResidualLabels;
        var tokenVocab = c.TokenVocabulary;
        var tokenDims = st.Index("embed/token_dims", tokenVocab.Count);
        var indexDims = st.Index("embed/index_dims", c.Options.MaxSeqLen);
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
            if (labels[o] != c.OutputLabel && !labels[o].StartsWith(c.OutputLabel + ":", StringComparison.Ordinal))
                throw st.Error($"tensor 'unembed/output_dims' points at residual {o} ('{labels[o]}'), not at output '{c.OutputLabel}'");
        if (c.CategoricalOutput && c.OutputValues.Count != outputDims.Length)
            throw fields.Error($"output.values has {c.OutputValues.Count} values but {CompiledModelStore.WeightsFileName} tensor 'unembed/output_dims' has {outputDims.Length} dims");
        if (!c.CategoricalOutput && (outputDims.Length != 1 || c.OutputValues.Count != 0))
            throw fields.Error($"a numerical output needs exactly one output dim and no output values (got {outputDims.Length} dims, {c.OutputValues.Count} values)");

        var layers = new List<CompiledLayer>();
        for (int li = 0; li < c.Layers.Count; li++)
        {
            var layer = c.Layers[li];
            var heads = new List<CompiledHead>();
            for (int hi = 0; hi < layer.Heads.Count; hi++)
            {
                string p = $"layer_{li}/attn/head_{hi}/";
                var q = st.Index(p + "query_dims", null);
                var k = st.Index(p + "key_dims", null);
                var wqk = st.Matrix(p + "w_qk", q.Length, k.Length);
                var vd = st.Index(p + "value_dims", null);
                var od = st.Index(p + "output_dims", null);
                var wov = st.Matrix(p + "w_ov", vd.Length, od.Length);
                heads.Add(new CompiledHead(layer.Heads[hi].Node, layer.Heads[hi].Op, q, k, wqk, vd, od, wov));
            }
            CompiledMlp? mlp = null;
            if (layer.Mlp is { } m)
            {
                string p = $"layer_{li}/mlp/";
                var inDims = st.Index(p + "input_dims", null);
                var w1 = st.MlpMatrix(p + "w_1", inDims.Length, m.HiddenSize);
                var outDims = st.Index(p + "output_dims", null);
                var w2 = st.MlpMatrix(p + "w_2", m.HiddenSize, outDims.Length);
                mlp = new CompiledMlp(m.Nodes, inDims, w1, outDims, w2, m.HiddenLabels);
            }
            layers.Add(new CompiledLayer(heads, mlp));
        }

        float[,]? wEmb = c.Options.CompressedWidth is int cw ? st.Matrix("compression/w_emb", cw, c.ResidualWidth) : null;
        st.CheckAllUsed();

        return new CompiledModel
        {
            Options = c.Options,
            OutputLabel = c.OutputLabel,
            ResidualLabels = labels,
            TokenVocabulary = tokenVocab,
            TokenDims = tokenDims,
            OneDim = c.OneDim,
            IndexDims = indexDims,
            OutputDims = outputDims,
            CategoricalOutput = c.CategoricalOutput,
            OutputValues = c.OutputValues,
            Layers = layers,
            Config = c.Config,
            Variables = c.Variables,
            Compression = wEmb,
            Repairs = c.Repairs,
            Dataflow = c.Dataflow,
            Warnings = c.Warnings,
            TracrDefects = c.TracrDefects,
        };
    }

    private static JsonDocument ReadConfigDocument(string directory, out string path)
    {
        if (!Directory.Exists(directory))
            throw new CompiledModelStoreException(File.Exists(directory)
                ? $"'{directory}' is a file, not a model folder"
                : $"model folder '{directory}' does not exist");
        path = Path.Combine(directory, CompiledModelStore.ConfigFileName);
        if (!File.Exists(path)) throw new CompiledModelStoreException($"model folder '{directory}' has no {CompiledModelStore.ConfigFileName}");
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
}
