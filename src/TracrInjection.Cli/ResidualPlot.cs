using ScottPlot;
using SkiaSharp;

namespace TracrInjection.Cli;

/// <summary>
/// The residual stream drawn as tracr's example notebook does: one heatmap per stage (embedding, then after every
/// attention and MLP sublayer), rows = positions (BOS included, labelled <c>p:token</c>), columns = residual labels,
/// one shared colour scale. Panels are stacked vertically into one PNG. Wide or deep models are drawn with smaller
/// cells (and every k-th column label) to keep the image under about 60 megapixels.
/// </summary>
public static class ResidualPlot
{
    private const long PixelBudget = 60_000_000;

    public static byte[] Render(IReadOnlyList<string> columns, IReadOnlyList<string> rows, IReadOnlyList<string> stageNames,
        IReadOnlyList<float[,]> residuals, string title)
    {
        int d = columns.Count, t = rows.Count, stages = residuals.Count;
        if (d == 0 || t == 0 || stages == 0) throw new ArgumentException("nothing to plot");

        int cellW = Math.Clamp(4000 / d, 2, 16);
        int cellH = Math.Clamp(600 / t, 3, 18);
        int longest = columns.Max(c => c.Length);
        int left = Math.Clamp(rows.Max(r => r.Length) * 8 + 40, 80, 260);
        const int right = 130, top = 36;
        int bottom = Math.Clamp(longest * 7 + 30, 60, 300);
        int PanelW() => left + d * cellW + right;
        int PanelH() => top + t * cellH + bottom;
        while ((long)PanelW() * PanelH() * stages > PixelBudget && (cellH > 1 || cellW > 1))
        {
            if (cellH >= cellW && cellH > 1) cellH--;
            else cellW--;
        }
        if (cellW < 6) bottom = Math.Min(bottom, 160);

        double min = 0, max = 1;
        foreach (var r in residuals)
            foreach (var v in r)
            {
                if (!float.IsFinite(v)) continue;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

        int width = PanelW(), panelH = PanelH(), header = 44;
        var info = new SKImageInfo(width, header + panelH * stages, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"cannot allocate a {info.Width}×{info.Height} image");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var font = new SKFont(SKTypeface.Default, 20))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            canvas.DrawText(title, 12, 30, SKTextAlign.Left, font, paint);

        int labelStep = Math.Max(1, (int)Math.Ceiling(12.0 / cellW));
        int rowStep = Math.Max(1, (int)Math.Ceiling(11.0 / cellH));
        for (int s = 0; s < stages; s++)
        {
            var data = new double[t, d];
            for (int i = 0; i < t; i++)
                for (int j = 0; j < d; j++) data[i, j] = residuals[s][i, j];

            var plot = new Plot();
            var hm = plot.Add.Heatmap(data);
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.ManualRange = new ScottPlot.Range(min, max);
            hm.Rectangle = new CoordinateRect(0, d, 0, t);
            plot.Add.ColorBar(hm);
            plot.Axes.SetLimits(0, d, 0, t);
            plot.Title(stageNames[s]);

            var xTicks = new ScottPlot.TickGenerators.NumericManual();
            for (int j = 0; j < d; j += labelStep) xTicks.AddMajor(j + 0.5, columns[j]);
            plot.Axes.Bottom.TickGenerator = xTicks;
            plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.TickLabelStyle.FontSize = Math.Clamp(cellW + 2, 7, 12);
            var yTicks = new ScottPlot.TickGenerators.NumericManual();
            for (int i = 0; i < t; i += rowStep) yTicks.AddMajor(t - i - 0.5, rows[i]);
            plot.Axes.Left.TickGenerator = yTicks;
            plot.Axes.Left.TickLabelStyle.FontSize = Math.Clamp(cellH, 7, 12);
            plot.Layout.Fixed(new PixelPadding(left, right, bottom, top));

            // Render each panel on its own surface (a plot clears the canvas it renders to), then paste it.
            using var panel = SKSurface.Create(new SKImageInfo(width, panelH, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"cannot allocate a {width}×{panelH} panel");
            plot.Render(panel);
            using var snapshot = panel.Snapshot();
            canvas.DrawImage(snapshot, 0, header + s * panelH);
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
