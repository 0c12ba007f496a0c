using System.Text.Json;
using TracrInjection.Cli.Repl;
using TracrInjection.Injection.Corpus;
using TracrInjection.Models.Gpt2;
using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Issue 11, item 2: <c>--fix-tracr-bugs</c> means the same in run, trace, inspect, the REPL and <c>inject --program</c>.</summary>
public class FixModeEverywhereTests
{
    internal static string PaperReverse => Text.RaspFileCliTests.Example("rasp-paper", "reverse.rasp");
    const string Long = "a b c a b c a b c a b c d e";
    const string Reversed = "e d c b a c b a c b a c b a";

    [Fact]
    public void RunTraceInspectCompileInFixMode()
    {
        string[] tracrMode = ["--program", PaperReverse, "--max-seq-len", "14"];
        string[] fixMode = [.. tracrMode, "--fix-tracr-bugs"];
        var wrong = Run(["run", .. tracrMode, "--input", Long]);
        Assert.Equal(0, wrong.ExitCode);
        Assert.NotEqual(Reversed, wrong.Out.Trim()); // tracr's answer (issue 11's report)
        Assert.Equal(Reversed, Run(["run", .. fixMode, "--input", Long]).Out.Trim());
        var trace = Run(["trace", .. fixMode, "--input", Long, "--json"]).Json();
        Assert.Equal(Reversed, string.Join(" ", trace.GetProperty("output").EnumerateArray().Select(e => e.GetString())));
        var inspect = Run(["inspect", .. fixMode, "--json"]).Json();
        Assert.NotEmpty(inspect.GetProperty("repairs").EnumerateArray());
        Assert.Empty(Run(["inspect", .. tracrMode, "--json"]).Json().GetProperty("repairs").EnumerateArray());
    }

    private static string Session(params string[] lines)
    {
        var w = new StringWriter();
        var s = new ReplSession(w, Path.GetDirectoryName(PaperReverse));
        var queue = new Queue<string>(lines);
        s.Run(prompt =>
        {
            if (queue.Count == 0) return null;
            var l = queue.Dequeue();
            w.WriteLine(prompt + l);
            return l;
        });
        return w.ToString().Replace("\r", "");
    }

    [Fact]
    public void ReplCompileTraceRunAcceptFixMode()
    {
        string o = Session(
            "load \"reverse.rasp\"",
            $"run reverse --max-seq-len 14 --input \"{Long}\"",
            $"run reverse --max-seq-len 14 --fix-tracr-bugs --input \"{Long}\"",
            $"trace reverse --max-seq-len 14 --fix-tracr-bugs --input \"{Long}\"",
            "compile reverse --max-seq-len 14 --fix-tracr-bugs");
        var verdicts = o.Split('\n').Where(l => l.Contains("the compiled model")).Select(l => l.Trim()).ToList();
        Assert.Equal(["the compiled model DIFFERS from RASP", "the compiled model agrees with RASP", "the compiled model agrees with RASP"], verdicts);
        Assert.Contains("   repair: ", o);
    }

    [Fact]
    public void InjectProgramCompilesTheTeacherInFixMode()
    {
        using var tmp = new TempFolder();
        string prog = tmp["rev.rasp"];
        File.WriteAllText(prog, "# vocab: a, b\n# max_seq_len: 4\nopp = length - indices - 1;\nreverse = aggregate(select(indices, opp, ==), tokens).named(\"reverse\");\n");
        string model = tmp["model"];
        using (var m = new Gpt2Model(new Gpt2Config { NLayer = 2, NHead = 2, NEmbd = 16, NPositions = 64, ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0 }, 5))
            Gpt2Checkpoint.Save(m, model);
        string corpus = tmp["corpus"];
        Directory.CreateDirectory(corpus);
        CorpusFiles.WriteDocuments(Path.Combine(corpus, CorpusFiles.HeldOutFileName),
            ["The cat sat on the mat and the dog sat on the log.", "A bird sang in the tree every morning.", "The dog ran to the park."]);
        bool RepairFlag(string run) =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("options").GetProperty("fixes")
                .EnumerateObject().Single(p => p.Name.Equals("repair_tracr_bugs", StringComparison.OrdinalIgnoreCase) || p.Name.Equals("RepairTracrBugs", StringComparison.OrdinalIgnoreCase))
                .Value.GetBoolean();
        string[] common = ["inject", "--program", prog, "--prompt-template", "Reverse: {input} =", "--model", model, "--preset", "paper",
            "--steps", "1", "--batch-size", "1", "--kl-batch-size", "1", "--corpus", corpus, "--threads", "1", "--plain", "--no-eval"];
        var plain = Injection.InjectionCli.Run([.. common, "--out", tmp["plain"]]);
        Assert.True(plain.ExitCode == 0, plain.Err);
        Assert.False(RepairFlag(tmp["plain"]));
        var fixedRun = Injection.InjectionCli.Run([.. common, "--fix-tracr-bugs", "--out", tmp["fixed"]]);
        Assert.True(fixedRun.ExitCode == 0, fixedRun.Err);
        Assert.True(RepairFlag(tmp["fixed"]));
    }
}
