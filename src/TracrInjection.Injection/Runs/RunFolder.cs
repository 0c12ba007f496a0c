using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using TracrInjection.Injection.Options;
using TracrInjection.Models;

namespace TracrInjection.Injection.Runs;

/// <summary>
/// A run folder: <c>config.json</c>, <c>log.jsonl</c> (training curve), <c>checkpoints/step-NNNNNNNN/</c> (model in HF
/// layout under <c>model/</c>, <c>adapter.safetensors</c>, <c>optimizer.safetensors</c>, <c>trainer_state.json</c>),
/// <c>checkpoints/latest</c>, <c>metrics.json</c> and <c>plots/</c>.
/// </summary>
public sealed class RunFolder
{
    public const string ConfigFile = "config.json";
    public const string LogFile = "log.jsonl";
    public const string MetricsFile = "metrics.json";
    public const string PlotsFolder = "plots";

    private static readonly JsonSerializerOptions LineJson = new(InjectionOptions.Json) { WriteIndented = false };

    public string Root { get; }
    public RunConfig Config { get; }

    private RunFolder(string root, RunConfig config)
    {
        Root = root;
        Config = config;
    }

    public string ConfigPath => Path.Combine(Root, ConfigFile);
    public string LogPath => Path.Combine(Root, LogFile);
    public string MetricsPath => Path.Combine(Root, MetricsFile);
    public string PlotsDirectory => Path.Combine(Root, PlotsFolder);

    /// <summary>Starts a run in <paramref name="root"/>, which must not hold a run already.</summary>
    public static RunFolder Create(string root, RunConfig config)
    {
        root = Path.GetFullPath(root);
        if (File.Exists(Path.Combine(root, ConfigFile)))
            throw new IOException($"'{root}' already holds a run: continue it with --resume, or choose another --out");
        Directory.CreateDirectory(root);
        AtomicFile.WriteAllText(Path.Combine(root, ConfigFile), config.ToJson());
        return new RunFolder(root, config);
    }

    public static RunFolder Open(string root)
    {
        root = Path.GetFullPath(root);
        string path = Path.Combine(root, ConfigFile);
        if (!File.Exists(path)) throw new DirectoryNotFoundException($"'{root}' is not a run folder (no {ConfigFile})");
        RunConfig config;
        try
        {
            config = RunConfig.FromJson(File.ReadAllText(path), path);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid run config: {ex.Message}");
        }
        return new RunFolder(root, config);
    }

    /// <summary>Rewrites config.json (for example with a new step count on resume).</summary>
    public RunFolder WithConfig(RunConfig config)
    {
        AtomicFile.WriteAllText(ConfigPath, config.ToJson());
        return new RunFolder(Root, config);
    }

    public string? LatestCheckpoint() => InjectionCheckpoint.Latest(Root);

    public void AppendLog(TrainingLogEntry entry) =>
        File.AppendAllText(LogPath, JsonSerializer.Serialize(entry, LineJson) + "\n");

    public IReadOnlyList<TrainingLogEntry> ReadLog()
    {
        if (!File.Exists(LogPath)) return [];
        var list = new List<TrainingLogEntry>();
        foreach (var line in File.ReadAllLines(LogPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<TrainingLogEntry>(line, LineJson) is { } e) list.Add(e);
            }
            catch (JsonException)
            {
                // A line cut by a kill: ignore it.
            }
        }
        return list;
    }

    /// <summary>Drops log lines after <paramref name="step"/> (a resumed run repeats those steps).</summary>
    public void TruncateLog(long step)
    {
        var kept = ReadLog().Where(e => e.Step <= step).ToList();
        AtomicFile.WriteAllText(LogPath, string.Concat(kept.Select(e => JsonSerializer.Serialize(e, LineJson) + "\n")));
    }
}
