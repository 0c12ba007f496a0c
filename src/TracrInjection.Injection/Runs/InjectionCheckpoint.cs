using System.Globalization;
using System.Text.Json;
using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Injection.Optimisation;
using TracrInjection.Injection.Options;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using TracrInjection.Models;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Runs;

/// <summary>
/// Checkpoints of an injection run: each is written whole into a hidden temporary folder and renamed into place,
/// then <c>checkpoints/latest</c> is rewritten to name it, so a run killed at any moment keeps its previous
/// checkpoint usable.
/// </summary>
public static class InjectionCheckpoint
{
    public const string Folder = "checkpoints";
    public const string LatestFile = CheckpointRotation.LatestFile;
    public const string ModelFolder = "model";
    public const string AdapterFile = "adapter.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "trainer_state.json";

    public static string FolderName(long step) => CheckpointRotation.FolderName(step);

    public static string Save(string runRoot, Gpt2Model model, Linear adapter, GroupedAdamW optimizer, TrainerState state,
        Gpt2Tokenizer tokenizer, int keep) =>
        CheckpointRotation.Save(Path.Combine(runRoot, Folder), state.Step, keep, temp =>
        {
            Gpt2Checkpoint.Save(model, Path.Combine(temp, ModelFolder), SafeTensorsDType.F32, tokenizer);
            SaveAdapter(adapter, Path.Combine(temp, AdapterFile));
            optimizer.Save(Path.Combine(temp, OptimizerFile));
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, InjectionOptions.Json));
        });

    public static void SaveAdapter(Linear adapter, string path) =>
        SafeTensorsWriter.Save(path, new Dictionary<string, Tensor> { ["weight"] = adapter.weight!, ["bias"] = adapter.bias! }, SafeTensorsDType.F32);

    public static void LoadAdapter(Linear adapter, string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        using var _ = no_grad();
        foreach (var (key, target) in new[] { ("weight", adapter.weight!), ("bias", adapter.bias!) })
        {
            if (!reader.Contains(key)) throw new InvalidDataException($"'{path}' lacks tensor '{key}'");
            using var source = reader.ReadTensor(key);
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"'{path}': '{key}' is [{string.Join(", ", source.shape)}], the adapter's is [{string.Join(", ", target.shape)}]");
            target.copy_(source.to_type(target.dtype));
        }
    }

    public static TrainerState LoadState(string checkpoint)
    {
        string path = Path.Combine(checkpoint, StateFile);
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), InjectionOptions.Json)
               ?? throw new InvalidDataException($"'{path}' is empty");
    }

    /// <summary>The newest complete checkpoint of a run, or null.</summary>
    public static string? Latest(string runRoot) =>
        CheckpointRotation.Latest(Path.Combine(runRoot, Folder), IsComplete);

    public static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, StateFile)) && File.Exists(Path.Combine(dir, AdapterFile)) &&
        File.Exists(Path.Combine(dir, OptimizerFile)) && File.Exists(Path.Combine(dir, ModelFolder, Gpt2Checkpoint.SafeTensorsFileName));

    /// <summary>torch's global generator state as base64 (restored with <see cref="SetRngState"/>).</summary>
    public static string GetRngState()
    {
        using var state = torch.random.get_rng_state();
        return Convert.ToBase64String(state.bytes.ToArray());
    }

    public static void SetRngState(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        using var state = torch.tensor(bytes, ScalarType.Byte);
        torch.random.set_rng_state(state);
    }
}
