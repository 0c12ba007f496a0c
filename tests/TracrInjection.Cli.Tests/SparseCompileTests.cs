using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Issue 11, item 5: <c>compile --out</c> stores mostly-zero MLPs sparse; <c>--dense</c> keeps tracr's dense layout.</summary>
public class SparseCompileTests
{
    [Fact]
    public void PaperCountFolderIsSmallAndRunsAsTheDenseOne()
    {
        using var dir = new TempFolder();
        var sparse = Run("compile", "--program", "paper_count", "--out", dir["sparse"]);
        Assert.True(sparse.ExitCode == 0, sparse.Err);
        var dense = Run("compile", "--program", "paper_count", "--dense", "--out", dir["dense"]);
        Assert.True(dense.ExitCode == 0, dense.Err);
        long s = new FileInfo(Path.Combine(dir["sparse"], "model.safetensors")).Length;
        long d = new FileInfo(Path.Combine(dir["dense"], "model.safetensors")).Length;
        Assert.True(s * 10 < d, $"sparse {s} bytes, dense {d} bytes");
        var cases = GoldenInputs("paper_count").Take(3).ToList();
        File.WriteAllLines(dir["in.txt"], cases.Select(c => c.Line));
        var a = Run("run", "--model", dir["sparse"], "--inputs", dir["in.txt"], "--json").Json().GetProperty("outputs").EnumerateArray().ToList();
        var b = Run("run", "--model", dir["dense"], "--inputs", dir["in.txt"], "--json").Json().GetProperty("outputs").EnumerateArray().ToList();
        for (int i = 0; i < cases.Count; i++)
        {
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(a[i]), $"sparse folder, input {i}");
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(b[i]), $"dense folder, input {i}");
        }
    }
}
