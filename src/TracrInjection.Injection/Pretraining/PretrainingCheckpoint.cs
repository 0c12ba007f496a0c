using System.Globalization;
using TracrInjection.Injection.Runs;
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
    public const string LatestFile = CheckpointRotation.LatestFile;
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string StateFileName = "trainer_state.json";

    public static string FolderName(long step) => CheckpointRotation.FolderName(step);

    public static string Save(string outputDirectory, Gpt2Model model, AdamW optimizer, PretrainingState state, Gpt2Tokenizer tokenizer, int keep) =>
        CheckpointRotation.Save(Path.Combine(outputDirectory, CheckpointsFolder), state.Step, keep, temp =>
        {
            Gpt2Checkpoint.Save(model, temp, Models.Checkpoints.SafeTensorsDType.F32, tokenizer);
            optimizer.Save(Path.Combine(temp, OptimizerFileName));
            state.Save(Path.Combine(temp, StateFileName));
        });

    /// <summary>The newest complete checkpoint folder of a run, or null when it has none.</summary>
    public static string? Latest(string outputDirectory) =>
        CheckpointRotation.Latest(Path.Combine(outputDirectory, CheckpointsFolder), IsComplete);

    static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, StateFileName)) && File.Exists(Path.Combine(dir, OptimizerFileName)) &&
        File.Exists(Path.Combine(dir, Gpt2Checkpoint.SafeTensorsFileName)) && File.Exists(Path.Combine(dir, Gpt2Checkpoint.ConfigFileName));
}
