using ScottPlot;
using TracrInjection.Injection.Runs;

namespace TracrInjection.Injection.Plots;

/// <summary>The run plots (ScottPlot 5, PNG): loss curves, accuracy bars per split, decoding heatmap, accuracy vs noise.</summary>
public static class InjectionPlots
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"),
    ];

    /// <summary>CE, KL and algorithm loss (and their sum) against the step.</summary>
    public static void LossCurves(IReadOnlyList<TrainingLogEntry> log, string path, string title)
    {
        var plot = new Plot();
        if (log.Count > 0)
        {
            double[] xs = log.Select(e => (double)e.Step).ToArray();
            void Line(string name, Func<TrainingLogEntry, double> y, int color)
            {
                var ys = log.Select(y).ToArray();
                if (ys.All(v => v == 0)) return;
                var s = plot.Add.Scatter(xs, ys.Select(v => double.IsFinite(v) ? v : double.NaN).ToArray());
                s.LegendText = name;
                s.Color = Palette[color];
                s.MarkerSize = log.Count > 50 ? 0 : 4;
                s.LineWidth = 2;
            }
            Line("answer CE", e => e.Ce, 0);
            Line("KL(original‖model)", e => e.Kl, 1);
            Line("algorithm (Σ cosine distance)", e => e.Algorithm, 2);
            Line("total", e => e.Total, 3);
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.SavePng(path, 900, 520);
    }

    /// <summary>Answer CE (solid), algorithm loss (dashed) and KL (dotted) of several runs, one colour per run.</summary>
    public static void TrainingCurves(IReadOnlyList<(string Name, IReadOnlyList<TrainingLogEntry> Log)> runs, string path, string title)
    {
        var plot = new Plot();
        for (int r = 0; r < runs.Count; r++)
        {
            var log = runs[r].Log;
            double[] xs = log.Select(e => (double)e.Step).ToArray();
            foreach (var (name, y, pattern) in new (string, Func<TrainingLogEntry, double>, LinePattern)[]
                     { ("answer CE", e => e.Ce, LinePattern.Solid), ("algorithm", e => e.Algorithm, LinePattern.Dashed), ("KL", e => e.Kl, LinePattern.Dotted) })
            {
                var ys = log.Select(y).ToArray();
                if (ys.All(v => v == 0)) continue;
                var line = plot.Add.Scatter(xs, ys.Select(v => double.IsFinite(v) ? v : double.NaN).ToArray());
                line.LegendText = $"{runs[r].Name}: {name}";
                line.Color = Palette[r % Palette.Length];
                line.LinePattern = pattern;
                line.MarkerSize = 0;
                line.LineWidth = 2;
            }
        }
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.SavePng(path, 1000, 600);
    }

    /// <summary>Grouped bars: one group per split, one bar per series (e.g. injection, baseline).</summary>
    public static void AccuracyBars(IReadOnlyList<string> splits, IReadOnlyList<(string Name, IReadOnlyDictionary<string, double> Accuracy)> series,
        string path, string title, IReadOnlyList<IReadOnlyDictionary<string, (double Low, double High)>>? intervals = null)
    {
        var plot = new Plot();
        int n = series.Count;
        double width = 0.8 / Math.Max(1, n);
        for (int s = 0; s < n; s++)
        {
            var bars = new List<Bar>();
            for (int i = 0; i < splits.Count; i++)
            {
                if (!series[s].Accuracy.TryGetValue(splits[i], out var acc) || !double.IsFinite(acc)) continue;
                bars.Add(new Bar
                {
                    Position = i + (s - (n - 1) / 2.0) * width,
                    Value = acc,
                    Size = width * 0.95,
                    FillColor = Palette[s % Palette.Length],
                    Label = acc.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                });
                if (intervals is not null && s < intervals.Count && intervals[s].TryGetValue(splits[i], out var ci))
                {
                    // ScottPlot's bar errors are symmetric: the larger side of the interval.
                    bars[^1].Error = Math.Max(Math.Max(0, ci.High - acc), Math.Max(0, acc - ci.Low));
                }
            }
            var barPlot = plot.Add.Bars(bars);
            barPlot.LegendText = series[s].Name;
            barPlot.Color = Palette[s % Palette.Length];
            barPlot.ValueLabelStyle.FontSize = 11;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < splits.Count; i++) ticks.AddMajor(i, splits[i]);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimits(-0.6, splits.Count - 0.4, 0, 1.12);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Title(title);
        plot.YLabel("exact-match accuracy");
        plot.SavePng(path, Math.Max(700, 180 * splits.Count + 200), 520);
    }

    /// <summary>Heatmap of decoding accuracy: rows = RASP variables, columns = aligned layers (blank where not yet written).</summary>
    public static void DecodingHeatmap(IReadOnlyList<string> variables, IReadOnlyList<string> layers, double?[][] values, string path, string title)
    {
        int rows = variables.Count, cols = layers.Count;
        if (rows == 0 || cols == 0) return;
        var data = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) data[r, c] = values[r][c] ?? double.NaN; // row 0 is drawn at the top
        var plot = new Plot();
        var hm = plot.Add.Heatmap(data);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.ManualRange = new ScottPlot.Range(0, 1);
        hm.NaNCellColor = Colors.White;
        hm.Rectangle = new CoordinateRect(0, cols, 0, rows);
        plot.Add.ColorBar(hm);
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int c = 0; c < cols; c++) xTicks.AddMajor(c + 0.5, layers[c]);
        plot.Axes.Bottom.TickGenerator = xTicks;
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int r = 0; r < rows; r++) yTicks.AddMajor(rows - r - 0.5, variables[r]);
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.Left.TickLabelStyle.FontSize = rows > 40 ? 8 : 11;
        plot.Axes.SetLimits(0, cols, 0, rows);
        plot.Title(title);
        int longest = variables.Max(v => v.Length);
        plot.Layout.Fixed(new PixelPadding(Math.Clamp(longest * 7 + 20, 80, 320), 110, 60, 40));
        plot.SavePng(path, Math.Max(600, 140 * cols + 450), Math.Clamp(16 * rows + 120, 300, 2400));
    }

    /// <summary>Accuracy against noise norm, noise in the learned final-result subspace vs a random subspace.</summary>
    public static void CausalCurves(IReadOnlyList<double> norms, IReadOnlyList<double> result, IReadOnlyList<double> random, string path, string title,
        IReadOnlyList<double>? isotropic = null)
    {
        var plot = new Plot();
        var xs = norms.ToArray();
        var a = plot.Add.Scatter(xs, result.ToArray());
        a.LegendText = "noise in the final-result subspace";
        a.Color = Palette[3];
        a.LineWidth = 2;
        var b = plot.Add.Scatter(xs, random.ToArray());
        b.LegendText = "noise in a random subspace (torch.rand rows, same dimension)";
        b.Color = Palette[0];
        b.LineWidth = 2;
        if (isotropic is { Count: > 0 } && isotropic.Count == xs.Length)
        {
            var c = plot.Add.Scatter(xs, isotropic.ToArray());
            c.LegendText = "noise in an isotropic random subspace (randn rows)";
            c.Color = Palette[2];
            c.LineWidth = 2;
        }
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        plot.Title(title);
        plot.XLabel("noise L2 norm per token");
        plot.YLabel("exact-match accuracy");
        plot.SavePng(path, 800, 500);
    }
}
