using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Issue 11, item 3: no silent wrong answers in tracr mode; fix mode, which repairs them, is silent.</summary>
public class TracrModeWarningTests
{
    const string Long = "a b c a b c a b c a b c d e";

    private static string[] Warnings(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        return r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void PaperReverseAtFourteenWarnsInTracrModeOnly()
    {
        string[] tracr = ["--program", FixModeEverywhereTests.PaperReverse, "--max-seq-len", "14"];
        string[] fix = [.. tracr, "--fix-tracr-bugs"];
        using var dir = new TempFolder();
        string[][] tracrRuns = [["run", .. tracr, "--input", Long], ["trace", .. tracr, "--input", Long], ["inspect", .. tracr], ["compile", .. tracr, "--out", dir["m"]]];
        foreach (var args in tracrRuns)
        {
            var w = Assert.Single(Warnings(Run(args)));
            // length (make_length's SelectorWidth, label length_5) is what miscounts, from 10 tokens on.
            Assert.Equal("warning: length_5: SelectorWidth miscounts: its decoder's exactness 100 cannot separate neighbouring widths: " +
                         "wrong from width 10 (an input of 10 or more tokens) (tracr bug B4/B5; --fix-tracr-bugs repairs it)", w);
        }
        // The warning travels with the model folder.
        Assert.Single(Warnings(Run("run", "--model", dir["m"], "--input", "a b")));
        Assert.Single(Run("inspect", "--model", dir["m"], "--json").Json().GetProperty("tracr_defects").EnumerateArray());

        string[][] fixRuns = [["run", .. fix, "--input", Long], ["trace", .. fix, "--input", Long], ["inspect", .. fix], ["compile", .. fix, "--out", dir["f"]]];
        foreach (var args in fixRuns)
        {
            var r = Run(args);
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.Equal("", r.Err);
        }
    }
}
