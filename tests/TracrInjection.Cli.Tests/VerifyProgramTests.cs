using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Issue 11, item 3: <c>verify (--program P | --model DIR) [--inputs N] [--max-length L]</c>.</summary>
public class VerifyProgramTests
{
    [Fact]
    public void ReverseAtFourteenMismatchesInTracrModeFromLengthTen()
    {
        string[] p = ["verify", "--program", FixModeEverywhereTests.PaperReverse, "--max-seq-len", "14", "--vocab", "a,b"];
        var tracr = Run([.. p, "--max-length", "10"]);
        Assert.Equal(1, tracr.ExitCode);
        Assert.Contains("all 2,046 inputs of lengths 1..10", tracr.Out);
        // Every length-10 input but the two palindromes aaaa… and bbbb… is wrong (tracr counts 10 tokens as 9), nothing
        // shorter; 510 shorter ones are right but flagged by the averaging check (findings too).
        Assert.Contains("matches 514, mismatches 1022, flagged but right 510; mismatch rate 49.95%, findings 74.88%", tracr.Out);
        Assert.DoesNotContain(tracr.Out.Split('\n'), l => l.StartsWith("  mismatch: [", StringComparison.Ordinal) && l[(l.IndexOf('[') + 1)..l.IndexOf(']')].Split(' ').Length < 10);
        Assert.Contains("warning: length_5: SelectorWidth miscounts", tracr.Err);

        var fix = Run([.. p, "--max-length", "10", "--fix-tracr-bugs"]);
        Assert.True(fix.ExitCode == 0, fix.Out + fix.Err);
        Assert.Contains("matches 2046, mismatches 0, flagged but right 0; mismatch rate 0%, findings 0%", fix.Out);
        Assert.Equal("", fix.Err);

        var random = Run([.. p, "--inputs", "40", "--fix-tracr-bugs"]);
        Assert.True(random.ExitCode == 0, random.Out);
        Assert.Contains("40 random inputs of lengths 1..14 (seed 0)", random.Out);
    }

    [Fact]
    public void ModelFoldersKnowTheirProgram()
    {
        using var dir = new TempFolder();
        Assert.Equal(0, Run("compile", "--program", "sort_tokens", "--out", dir["reg"]).ExitCode);
        var r = Run("verify", "--model", dir["reg"]);
        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        Assert.Contains("mismatches 0, flagged but right 0", r.Out);

        // A .rasp program: its text is stored, so the folder verifies with the file gone.
        File.Copy(FixModeEverywhereTests.PaperReverse, dir["rev.rasp"]);
        Assert.Equal(0, Run("compile", "--program", dir["rev.rasp"], "--out", dir["rev"]).ExitCode);
        File.Delete(dir["rev.rasp"]);
        r = Run("verify", "--model", dir["rev"], "--max-length", "4");
        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        Assert.Contains("all 780 inputs of lengths 1..4", r.Out);

        // A folder that does not say which program it holds (older folders, hand-written metadata).
        string config = Path.Combine(dir["reg"], "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"program\": \"sort_tokens\"", "\"program\": \"not_a_program\""));
        AssertUsageError(Run("verify", "--model", dir["reg"]), "does not record its program");
    }

    [Fact]
    public void BadVerifyOptionsAreOneErrorLine()
    {
        AssertUsageError(Run("verify"), "give --random N");
        AssertUsageError(Run("verify", "--program", "reverse", "--random", "3"), "not both");
        AssertUsageError(Run("verify", "--program", "reverse", "--max-length", "0"), "--max-length must be at least 1");
        AssertUsageError(Run("verify", "--program", "reverse", "--max-length", "9"), "longer than the model's max_seq_len 5");
        AssertUsageError(Run("verify", "--program", "reverse", "--inputs", "0"), "--inputs must be at least 1");
        AssertUsageError(Run("verify", "--program", "paper_count", "--max-length", "100"), "give a smaller --max-length");
        AssertUsageError(Run("verify", "--random", "2", "--max-length", "3"), "--max-length applies to --program/--model");
    }
}
