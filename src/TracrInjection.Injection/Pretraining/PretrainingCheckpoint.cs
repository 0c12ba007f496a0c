using System.Globalization;
using TracrInjection.Models;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Pretraining;

/// <summary>
/// A run's checkpoints: <c>OUT/checkpoints/step-NNNNNNNN/</c>, each a Hugging Face GPT-2 folder
/// (config.json, model.safetensors in float32, vocab.json, merges.txt) plus optimizer.safetensors
/// (AdamW moments) and trainer_state.json. A checkpoint is written to a hidden temporary folder
/// and renamed into place, then <c>checkpoints/latest</c> is rewritten to name it, so a run killed
/// at any moment leaves the previous checkpoint usable.
/// </summary>
public static class PretrainingCheckpoint
{
    public const string CheckpointsFolder = "checkpoints";
    public const string LatestFile = "latest";
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string StateFileName = "trainer_state.json";

    public static string FolderName(long step) => "step-" + step.ToString("D8", CultureInfo.InvariantCulture);

    public static string Save(string outputDirectory, Gpt2Model model, AdamW optimizer, PretrainingState state, Gpt2Tokenizer tokenizer, int keep)
    {
        string root = Path.Combine(outputDirectory, CheckpointsFolder);
        Directory.CreateDirectory(root);
        string name = FolderName(state.Step);
        string final = Path.Combine(root, name);
        string temp = Path.Combine(root, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(temp);
            Gpt2Checkpoint.Save(model, temp, Models.Checkpoints.SafeTensorsDType.F32, tokenizer);
            optimizer.Save(Path.Combine(temp, OptimizerFileName));
            state.Save(Path.Combine(temp, StateFileName));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(root, LatestFile), name + "\n");
        Prune(root, name, keep);
        return final;
    }

    static void Prune(string root, string latest, int keep)
    {
        var old = Directory.GetDirectories(root, "step-*")
            .Select(Path.GetFileName)
            .Where(n => n is not null && n != latest)
            .OrderByDescending(n => n, StringComparer.Ordinal)
            .Skip(Math.Max(0, keep - 1));
        foreach (var n in old)
        {
            try { Directory.Delete(Path.Combine(root, n!), recursive: true); }
            catch (IOException) { }
        }
        foreach (var stale in Directory.GetDirectories(root, ".step-*.tmp"))
        {
            try { Directory.Delete(stale, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The newest complete checkpoint folder of a run, or null when it has none.</summary>
    public static string? Latest(string outputDirectory)
    {
        string root = Path.Combine(outputDirectory, CheckpointsFolder);
        string pointer = Path.Combine(root, LatestFile);
        if (File.Exists(pointer))
        {
            string dir = Path.Combine(root, File.ReadAllText(pointer).Trim());
            if (IsComplete(dir)) return dir;
        }
        // The pointer is written after the rename; fall back to the newest complete folder.
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root, "step-*")
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .FirstOrDefault(IsComplete);
    }

    static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, StateFileName)) && File.Exists(Path.Combine(dir, OptimizerFileName)) &&
        File.Exists(Path.Combine(dir, Gpt2Checkpoint.SafeTensorsFileName)) && File.Exists(Path.Combine(dir, Gpt2Checkpoint.ConfigFileName));
}
