using System.Globalization;
using System.Text;

namespace TracrInjection.Injection.Experiments;

/// <summary>The summary as Markdown in the paper's layout: task × split × method, mean [95% interval], difference, win.</summary>
public static class ExperimentMarkdown
{
    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static string Pct(double mean, double low, double high) =>
        double.IsFinite(mean) ? F($"{100 * mean:0.0}% [{100 * low:0.0}, {100 * high:0.0}]") : "–";

    public static string Points(Interval d) => F($"{100 * d.Mean:+0.0;-0.0;0.0} [{100 * d.Low:+0.0;-0.0;0.0}, {100 * d.High:+0.0;-0.0;0.0}] pt");

    public static string Render(ExperimentSummary s)
    {
        var b = new StringBuilder();
        b.AppendLine("# Tracr-injection experiment");
        b.AppendLine();
        if (s.Command is not null) b.AppendLine($"Command: `{s.Command}`  ");
        if (s.Commit is not null) b.AppendLine($"Commit: `{s.Commit}`  ");
        b.AppendLine(F($"Built {s.CreatedUtc} from {s.Runs.Count(r => r.Status == "evaluated")} evaluated of {s.Runs.Count} runs; training {s.TotalTrainingHours:F2} h, evaluation {s.TotalEvaluationHours:F2} h of machine time."));
        b.AppendLine();
        b.AppendLine(F($"Greedy exact match. Mean over seeds, 95% interval from {s.Resamples} bootstrap resamples (seeds, then items within each seed; RNG seed {s.BootstrapSeed}). ")
                     + "Difference = injection − baseline, paired by seed and item. **win**: its interval lies above 0; `almost_balanced` (all answers \"no\") is never a win.");
        b.AppendLine();
        b.AppendLine("| task | split | items/seed | injection | baseline | difference | win |");
        b.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var t in s.Tasks)
            foreach (var sp in t.Splits)
            {
                string Cell(string m) => sp.Methods.TryGetValue(m, out var a) ? Pct(a.Mean, a.Low, a.High) + F($" (n={a.Seeds.Count})") : "–";
                int items = sp.Methods.Values.Select(m => m.ItemsPerSeed).DefaultIfEmpty(0).Max();
                string win = !sp.CountsAsWin ? "(not counted)" : sp.Win ? "**win**" : sp.Difference is { ExcludesZeroBelow: true } ? "loss" : "";
                b.AppendLine($"| {t.Task} | {sp.Split} | {items} | {Cell(ExperimentSummary.Injection)} | {Cell(ExperimentSummary.Baseline)} | {(sp.Difference is { } d ? Points(d) : "–")} | {win} |");
            }
        b.AppendLine();

        var retained = s.Tasks.SelectMany(t => t.Figures.Select(f => (t.Task, Method: f.Key, f.Value))).Where(x => x.Value.RetainedAbility is not null).ToList();
        if (retained.Count > 0)
        {
            b.AppendLine("## Retained language ability (lm-eval, mean over seeds; before → after)");
            b.AppendLine();
            b.AppendLine("| task | method | tokenizer | held-out perplexity | cloze | 2-shot choice |");
            b.AppendLine("|---|---|---|---|---|---|");
            foreach (var (task, method, f) in retained)
                foreach (var r in f.RetainedAbility!)
                {
                    string ppl = string.Join("; ", r.PerplexityBefore.Select(p => F($"{p.Key} {p.Value:F1} → {r.PerplexityAfter.GetValueOrDefault(p.Key, double.NaN):F1}")));
                    b.AppendLine(F($"| {task} | {method} | {r.Tokenizer} | {ppl} | {100 * r.ClozeBefore:0.0}% → {100 * r.ClozeAfter:0.0}% | {100 * r.ChoiceBefore:0.0}% → {100 * r.ChoiceAfter:0.0}% |"));
                }
            b.AppendLine();
        }

        var interp = s.Tasks.Where(t => t.Figures.TryGetValue(ExperimentSummary.Injection, out var f) && (f.Decodability is not null || f.Causal is not null)).ToList();
        if (interp.Count > 0)
        {
            b.AppendLine("## Interpretability (injection, mean over seeds)");
            b.AppendLine();
            foreach (var t in interp)
            {
                var f = t.Figures[ExperimentSummary.Injection];
                if (f.Decodability is { } dec)
                {
                    b.AppendLine($"**{t.Task}: decodability of each RASP variable through the adapter, per aligned layer** (share of positions where adapter(h) decodes to the teacher's value)");
                    b.AppendLine();
                    b.AppendLine("| variable | " + string.Join(" | ", f.DecodabilityLayers!) + " |");
                    b.AppendLine("|---|" + string.Concat(f.DecodabilityLayers!.Select(_ => "---|")));
                    foreach (var (name, values) in dec)
                        b.AppendLine($"| {name} | " + string.Join(" | ", values.Select(v => v is { } x ? F($"{100 * x:0.0}%") : "")) + " |");
                    if (f.DecodabilityAtLastLayer is { } last) b.AppendLine(F($"| mean at the last aligned layer | {100 * last:0.0}% |"));
                    b.AppendLine();
                }
                foreach (var (label, c) in new[] { ("relative norms", f.Causal), ("absolute norms", f.CausalAbsolute) })
                {
                    if (c is null) continue;
                    b.AppendLine(F($"**{t.Task}: causal test at block {c.Block}, {label}** (subspace dimension {c.SubspaceDimension}; accuracy in distribution)"));
                    b.AppendLine();
                    b.AppendLine("| noise norm | " + string.Join(" | ", c.Norms.Select(n => F($"{n:G3}"))) + " |");
                    b.AppendLine("|---|" + string.Concat(c.Norms.Select(_ => "---|")));
                    b.AppendLine("| final-result subspace | " + string.Join(" | ", c.ResultSubspace.Select(v => F($"{100 * v:0.0}%"))) + " |");
                    b.AppendLine("| random subspace (torch.rand rows) | " + string.Join(" | ", c.RandomSubspace.Select(v => F($"{100 * v:0.0}%"))) + " |");
                    if (c.IsotropicSubspace is { Count: > 0 } iso)
                        b.AppendLine("| random subspace (isotropic) | " + string.Join(" | ", iso.Select(v => F($"{100 * v:0.0}%"))) + " |");
                    b.AppendLine();
                }
            }
        }

        b.AppendLine("## Runs");
        b.AppendLine();
        b.AppendLine("| task | method | seed | status | steps | training | evaluation |");
        b.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in s.Runs)
            b.AppendLine(F($"| {r.Task} | {r.Method} | {r.Seed} | {r.Status} | {r.Step}/{r.Steps} | {r.TrainingSeconds / 60:F1} min | {r.EvaluationSeconds / 60:F1} min |"));
        return b.ToString();
    }
}
