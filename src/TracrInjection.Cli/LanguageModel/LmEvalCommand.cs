using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.LanguageEvaluation;

namespace TracrInjection.Cli.LanguageModel;

/// <summary>
/// <c>lm-eval --model M</c>: the retained-ability figures of a GPT-2 model (held-out perplexity on
/// both held-out files, the cloze and the 2-shot choice task), under each task tokenizer; a table,
/// or JSON with <c>--json</c>; <c>--out FILE</c> also writes the JSON. <c>--baseline M2</c> puts a
/// second model's figures and the differences next to them.
/// </summary>
public static class LmEvalCommand
{
    public static Command Create(LanguageModelIO io)
    {
        var d = new LanguageEvaluationOptions { CorpusDirectory = "" };
        var model = new Option<string>("--model", "-m") { Description = "A GPT-2 checkpoint folder (Hugging Face layout), or 'default'.", HelpName = "DIR|default", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "A second model to compare against (e.g. the model before an injection).", HelpName = "DIR|default" };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus folder with heldout.txt and heldout-prose.txt (default: data/corpus of the repository).", HelpName = "DIR" };
        var cloze = new Option<int>("--cloze") { Description = "Cloze passages.", DefaultValueFactory = _ => d.ClozePassages };
        var choice = new Option<int>("--choice") { Description = "2-shot choice items (even).", DefaultValueFactory = _ => d.ChoiceItems };
        var tokenizers = new Option<string>("--tokenizers") { Description = "Comma-separated: standard, split-digits, split-brackets.", DefaultValueFactory = _ => "standard,split-digits,split-brackets" };
        var windows = new Option<int?>("--max-windows") { Description = "Score perplexity on at most this many windows per file (default: all, as the model card)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var output = new Option<string?>("--out") { Description = "Also write the JSON report to this file.", HelpName = "FILE" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: all cores)." };
        var command = new Command("lm-eval", "Retained language ability: held-out perplexity, a LAMBADA-style cloze and a 2-shot choice task, per tokenizer.")
        {
            model, baseline, corpus, cloze, choice, tokenizers, windows, json, output, threads,
        };
        command.SetAction(parse => LanguageModelCommands.Guard(io, () =>
        {
            var options = new LanguageEvaluationOptions
            {
                CorpusDirectory = parse.GetValue(corpus) ?? CorpusFiles.DefaultDirectory(),
                ClozePassages = parse.GetValue(cloze),
                ChoiceItems = parse.GetValue(choice),
                Tokenizers = parse.GetValue(tokenizers)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(LanguageEvaluator.ParseTokenizer).Distinct().ToList(),
                MaxPerplexityWindows = parse.GetValue(windows),
            };
            options.Validate();
            if (!File.Exists(Path.Combine(options.CorpusDirectory, CorpusFiles.HeldOutFileName)))
                throw new FileNotFoundException($"'{options.CorpusDirectory}' has no {CorpusFiles.HeldOutFileName}.");
            if (parse.GetValue(threads) is { } t)
            {
                if (t < 1) throw new ArgumentException("--threads must be at least 1.");
                TorchSharp.torch.set_num_threads(t);
            }
            string? outPath = parse.GetValue(output);
            var report = Run(io, parse.GetValue(model)!, options, !parse.GetValue(json));
            LanguageEvaluationReport? other = parse.GetValue(baseline) is { } b ? Run(io, b, options, !parse.GetValue(json)) : null;
            if (outPath is not null) LanguageEvaluationJson.Save(report, outPath);
            if (parse.GetValue(json))
                io.Out.WriteLine(other is null ? LanguageEvaluationJson.Serialize(report)
                    : $"{{\"model\": {LanguageEvaluationJson.Serialize(report)},\n\"baseline\": {LanguageEvaluationJson.Serialize(other)}}}");
            else
                io.Console.Write(Table(report, other));
            return LanguageModelCommands.ExitOk;
        }));
        return command;
    }

    static LanguageEvaluationReport Run(LanguageModelIO io, string modelName, LanguageEvaluationOptions options, bool showProgress)
    {
        var (m, _) = LanguageModelCommands.LoadModel(modelName);
        using (m)
        {
            if (!showProgress || !io.Console.Profile.Capabilities.Interactive)
                return LanguageEvaluator.Evaluate(m, modelName, options);
            LanguageEvaluationReport? report = null;
            io.Console.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask(modelName, maxValue: 1);
                report = LanguageEvaluator.Evaluate(m, modelName, options, (what, fraction) =>
                {
                    task.Description = $"{modelName}: {what}";
                    task.Value = fraction;
                });
            });
            return report!;
        }
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static string Pct(Accuracy a) => F($"{100 * a.Value:F1}% ± {100 * a.HalfWidth95:F1}");

    /// <summary>One row per tokenizer × figure; with a baseline, its column and the difference.</summary>
    public static Table Table(LanguageEvaluationReport report, LanguageEvaluationReport? baseline)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("tokenizer");
        table.AddColumn("figure");
        table.AddColumn(new TableColumn(Markup.Escape(report.Model)).RightAligned());
        if (baseline is not null)
        {
            table.AddColumn(new TableColumn(Markup.Escape(baseline.Model)).RightAligned());
            table.AddColumn(new TableColumn("difference").RightAligned());
        }
        foreach (var a in report.ByTokenizer)
        {
            var b = baseline?.ByTokenizer.FirstOrDefault(x => x.Tokenizer == a.Tokenizer);
            foreach (var p in a.Perplexity)
            {
                var q = b?.Perplexity.FirstOrDefault(x => x.File == p.File);
                Row(table, baseline is not null, a.Tokenizer, $"perplexity {p.File}", F($"{p.Perplexity:F2}"),
                    q is null ? "" : F($"{q.Perplexity:F2}"), q is null ? "" : F($"{p.Perplexity - q.Perplexity:+0.00;-0.00}"));
            }
            Row(table, baseline is not null, a.Tokenizer, F($"cloze ({a.Cloze.Items})"), Pct(a.Cloze),
                b is null ? "" : Pct(b.Cloze), b is null ? "" : F($"{100 * (a.Cloze.Value - b.Cloze.Value):+0.0;-0.0} pts"));
            Row(table, baseline is not null, a.Tokenizer, F($"2-shot choice ({a.Choice.Items})"), Pct(a.Choice),
                b is null ? "" : Pct(b.Choice), b is null ? "" : F($"{100 * (a.Choice.Value - b.Choice.Value):+0.0;-0.0} pts"));
        }
        return table;
    }

    static void Row(Table t, bool withBaseline, string tokenizer, string figure, string value, string other, string diff)
    {
        var cells = new List<string> { tokenizer, figure, value };
        if (withBaseline) { cells.Add(other); cells.Add(diff); }
        t.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
    }
}
