using System.CommandLine;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary>
/// How <c>run</c> and <c>trace</c> report a categorical Aggregate that averages (issue 14): a <c>warning:</c> line
/// per finding on stderr (both modes), None at the affected output positions in fix mode (tracr mode keeps
/// tracr's answer), and an error (exit 2) under <c>--strict</c>.
/// </summary>
public static class AveragingOutput
{
    public static Option<bool> StrictOption() => new("--strict")
    {
        Description = "Fail (exit 2) where the model cannot give RASP's value (a categorical aggregate averaging different values).",
    };

    /// <summary>
    /// Compile-time warnings of the model, one line each: averaging aggregates, then (tracr mode, issue 11) every
    /// expression where the model will disagree with RASP, with where it bites and that --fix-tracr-bugs repairs it.
    /// </summary>
    public static void WarnCompileTime(CliContext ctx, CompiledModel model)
    {
        foreach (var w in model.Warnings) ctx.Err.WriteLine($"warning: {w}");
        foreach (var d in model.TracrDefects) ctx.Err.WriteLine($"warning: {d}");
    }

    /// <summary>Reports the findings of one sequence; returns the output with None at affected positions in fix mode.</summary>
    public static Value[] Apply(CliContext ctx, CompiledModel model, AveragingReport report, Value[] output, string? where, bool strict)
    {
        if (!report.Any) return output;
        string prefix = where is null ? "" : where + ": ";
        if (strict)
            throw new CliException($"{prefix}{report.Findings[0]} (--strict; {report.Findings.Count} finding(s))");
        foreach (var f in report.Findings) ctx.Err.WriteLine($"warning: {prefix}{f}");
        var affected = Enumerable.Range(0, report.Output.Length).Where(p => report.Output[p]).ToList();
        if (affected.Count > 0)
            ctx.Err.WriteLine($"warning: {prefix}output positions {string.Join(", ", affected)} depend on it" +
                (model.Options.FixTracrBugs ? ": reported as null" : " (tracr mode keeps tracr's answer)"));
        if (!model.Options.FixTracrBugs) return output;
        var r = (Value[])output.Clone();
        for (int p = 0; p < r.Length && p < report.Output.Length; p++) if (report.Output[p]) r[p] = Value.None;
        return r;
    }
}
