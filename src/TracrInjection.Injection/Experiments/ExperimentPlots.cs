using TracrInjection.Injection.Plots;
using TracrInjection.Injection.Runs;

namespace TracrInjection.Injection.Experiments;

/// <summary>The summary's PNGs (each written to a temporary file and renamed into place).</summary>
public static class ExperimentPlots
{
    public static void Write(ExperimentSummary s, string experimentDirectory)
    {
        string dir = Path.Combine(experimentDirectory, ExperimentSummary.PlotsFolder);
        Directory.CreateDirectory(dir);
        foreach (var t in s.Tasks)
        {
            var splits = t.Splits.Select(x => x.Split).ToList();
            var series = new[] { ExperimentSummary.Injection, ExperimentSummary.Baseline }
                .Where(m => t.Splits.Any(sp => sp.Methods.ContainsKey(m)))
                .Select(m => (Name: m, Accuracy: (IReadOnlyDictionary<string, double>)t.Splits.Where(sp => sp.Methods.ContainsKey(m)).ToDictionary(sp => sp.Split, sp => sp.Methods[m].Mean),
                    Intervals: (IReadOnlyDictionary<string, (double, double)>)t.Splits.Where(sp => sp.Methods.ContainsKey(m)).ToDictionary(sp => sp.Split, sp => (sp.Methods[m].Low, sp.Methods[m].High))))
                .ToList();
            Atomic(Path.Combine(dir, $"accuracy_{t.Task}.png"), p => InjectionPlots.AccuracyBars(splits, series.Select(x => (x.Name, x.Accuracy)).ToList(), p,
                $"{t.Task}: exact match per split (mean over seeds, 95% interval)", series.Select(x => x.Intervals).ToList()));
            if (t.Figures.TryGetValue(ExperimentSummary.Injection, out var f))
            {
                if (f.Decodability is { } dec)
                {
                    var names = dec.Keys.ToList();
                    Atomic(Path.Combine(dir, $"decodability_{t.Task}.png"), p => InjectionPlots.DecodingHeatmap(names, f.DecodabilityLayers!,
                        names.Select(n => dec[n].ToArray()).ToArray(), p, $"{t.Task}: decodability per aligned layer (mean over seeds)"));
                }
                if (f.Causal is { } c)
                    Atomic(Path.Combine(dir, $"causal_{t.Task}.png"), p => InjectionPlots.CausalCurves(c.Norms, c.ResultSubspace, c.RandomSubspace, p,
                        $"{t.Task}: accuracy under noise at block {c.Block} (relative norms)", c.IsotropicSubspace));
                if (f.CausalAbsolute is { } ca)
                    Atomic(Path.Combine(dir, $"causal_absolute_{t.Task}.png"), p => InjectionPlots.CausalCurves(ca.Norms, ca.ResultSubspace, ca.RandomSubspace, p,
                        $"{t.Task}: accuracy under noise at block {ca.Block} (absolute norms)", ca.IsotropicSubspace));
            }
            // Training curves: every evaluated run of the task.
            var logs = s.Runs.Where(r => r.Task == t.Task && r.Status == "evaluated")
                .Select(r => (Name: $"{r.Method} seed {r.Seed}", Log: RunFolder.Open(Path.Combine(experimentDirectory, r.Folder)).ReadLog()))
                .Where(x => x.Log.Count > 0).ToList();
            if (logs.Count > 0)
                Atomic(Path.Combine(dir, $"training_{t.Task}.png"), p => InjectionPlots.TrainingCurves(logs, p, $"{t.Task}: answer CE, algorithm loss and KL per run"));
        }
    }

    static void Atomic(string path, Action<string> write)
    {
        string tmp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileNameWithoutExtension(path) + "." + Environment.ProcessId + ".tmp.png");
        write(tmp);
        File.Move(tmp, path, overwrite: true);
    }
}
