using System.Collections;
using TorchSharp;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Models.Gpt2;

/// <summary>
/// Hugging Face GPT-2 checkpoint folders: <c>config.json</c> plus <c>model.safetensors</c> (or
/// <c>pytorch_model.bin</c>). Tensor names may carry the <c>transformer.</c> prefix
/// (GPT2LMHeadModel) or not (GPT2Model); Conv1D weights are [in, out] in both, as in the model here.
/// </summary>
public static class Gpt2Checkpoint
{
    public const string ConfigFileName = "config.json";
    public const string SafeTensorsFileName = "model.safetensors";
    public const string PyTorchFileName = "pytorch_model.bin";
    const string Prefix = "transformer.";

    /// <summary>Loads config and weights from an HF folder. Weights are converted to float32.</summary>
    public static Gpt2Model Load(string directory, Device? device = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"GPT-2 checkpoint folder not found: '{directory}'.");
        var config = Gpt2Config.Load(Path.Combine(directory, ConfigFileName));
        var model = new Gpt2Model(config, initialize: false, seed: null);
        try
        {
            LoadWeights(model, directory);
            if (device is not null) model.to(device);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies weights from <paramref name="directory"/> into an existing model of the same shape.</summary>
    public static void LoadWeights(Gpt2Model model, string directory)
    {
        string st = Path.Combine(directory, SafeTensorsFileName);
        string bin = Path.Combine(directory, PyTorchFileName);
        if (File.Exists(st))
        {
            using var reader = SafeTensorsReader.Open(st);
            Assign(model, st, reader.Tensors.Keys, reader.ReadTensor);
        }
        else if (File.Exists(bin))
        {
            var tensors = ReadPyTorchStateDict(bin);
            try
            {
                Assign(model, bin, tensors.Keys, name => tensors[name]);
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
        else
        {
            var sharded = Directory.GetFiles(directory, "*.index.json");
            string extra = sharded.Length > 0 ? $" (found '{Path.GetFileName(sharded[0])}': sharded checkpoints are not supported)" : "";
            throw new FileNotFoundException($"'{directory}' has neither {SafeTensorsFileName} nor {PyTorchFileName}{extra}.");
        }
    }

    /// <summary>
    /// Reads a PyTorch <c>torch.save</c> state dict (zip format) through TorchSharp.PyBridge. The
    /// legacy pre-1.6 non-zip format is not supported.
    /// </summary>
    public static Dictionary<string, Tensor> ReadPyTorchStateDict(string path)
    {
        Hashtable table;
        try
        {
            // Our own stream, so the file is closed even when PyBridge rejects it before unzipping.
            using var stream = File.OpenRead(path);
            table = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (FileNotFoundException)
        {
            throw;
        }
        catch (NotImplementedException ex)
        {
            throw new NotSupportedException($"'{path}' cannot be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Razorvine's pickle errors and zip errors alike: say which file was bad.
            throw new InvalidDataException($"'{path}' is not a readable PyTorch state dict ({ex.GetType().Name}: {ex.Message}).", ex);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in table)
            if (e.Key is string name && e.Value is Tensor t) result[name] = t;
        return result;
    }

    /// <summary>Maps a checkpoint tensor name to the model's parameter name, or null for names to skip.</summary>
    static string? ModelName(string checkpointName)
    {
        string name = checkpointName.StartsWith(Prefix, StringComparison.Ordinal) ? checkpointName[Prefix.Length..] : checkpointName;
        // Causal-mask buffers that older HF versions stored with the weights.
        if (name.EndsWith(".attn.bias", StringComparison.Ordinal) || name.EndsWith(".attn.masked_bias", StringComparison.Ordinal))
            return null;
        return name;
    }

    static void Assign(Gpt2Model model, string file, IEnumerable<string> names, Func<string, Tensor> read)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var byModelName = new Dictionary<string, string>(StringComparer.Ordinal);
        string? lmHead = null;
        foreach (var name in names)
        {
            if (name == "lm_head.weight") { lmHead = name; continue; }
            var modelName = ModelName(name);
            if (modelName is null) continue;
            if (!parameters.ContainsKey(modelName))
                throw new InvalidDataException($"'{file}': unexpected tensor '{name}' (no such GPT-2 parameter for this config).");
            if (!byModelName.TryAdd(modelName, name))
                throw new InvalidDataException($"'{file}': tensors '{byModelName[modelName]}' and '{name}' both map to '{modelName}'.");
        }
        var missing = parameters.Keys.Where(k => !byModelName.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"'{file}': missing tensor '{Prefix}{missing[0]}'" +
                (missing.Count > 1 ? $" and {missing.Count - 1} more ({string.Join(", ", missing.Skip(1).Take(5))}{(missing.Count > 6 ? ", …" : "")})." : "."));

        using var _ = no_grad();
        foreach (var (modelName, checkpointName) in byModelName)
        {
            var target = parameters[modelName];
            using var scope = NewDisposeScope();
            var source = read(checkpointName);
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"'{file}': tensor '{checkpointName}' has shape [{string.Join(", ", source.shape)}], expected [{string.Join(", ", target.shape)}].");
            if (!torch.is_floating_point(source))
                throw new InvalidDataException($"'{file}': tensor '{checkpointName}' has non-float dtype {source.dtype}.");
            target.copy_(source.to_type(target.dtype).to(target.device));
        }

        if (lmHead is not null)
        {
            using var scope = NewDisposeScope();
            var head = read(lmHead);
            var wte = model.TokenEmbedding.weight!;
            if (!head.shape.SequenceEqual(wte.shape))
                throw new InvalidDataException($"'{file}': tensor 'lm_head.weight' has shape [{string.Join(", ", head.shape)}], expected [{string.Join(", ", wte.shape)}] (tied to wte).");
        }
    }

    /// <summary>
    /// Writes config.json and model.safetensors (names with the <c>transformer.</c> prefix, as
    /// GPT2LMHeadModel.save_pretrained does; lm_head is tied and not stored), plus vocab.json and
    /// merges.txt when a tokenizer is given. Each file is written to a temporary file in the same
    /// folder and then renamed over the old one.
    /// </summary>
    public static void Save(Gpt2Model model, string directory, SafeTensorsDType dtype = SafeTensorsDType.F32, Gpt2Tokenizer? tokenizer = null)
    {
        if (dtype is not (SafeTensorsDType.F32 or SafeTensorsDType.F16))
            throw new ArgumentException($"GPT-2 checkpoints are saved as F32 or F16, not {dtype}.", nameof(dtype));
        Directory.CreateDirectory(directory);
        var tensors = model.named_parameters().ToDictionary(p => Prefix + p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        SafeTensorsWriter.Save(Path.Combine(directory, SafeTensorsFileName), tensors, dtype,
            new Dictionary<string, string> { ["format"] = "pt" });
        var config = model.Config with
        {
            ExtraFields = WithDType(model.Config.ExtraFields, dtype == SafeTensorsDType.F16 ? "float16" : "float32"),
        };
        config.Save(Path.Combine(directory, ConfigFileName));
        tokenizer?.Save(directory);
    }

    static System.Text.Json.Nodes.JsonObject WithDType(System.Text.Json.Nodes.JsonObject? extra, string dtype)
    {
        var copy = extra?.DeepClone().AsObject() ?? new System.Text.Json.Nodes.JsonObject();
        copy["torch_dtype"] = dtype;
        return copy;
    }
}
