using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests.Text;

/// <summary><c>--program FILE.rasp</c> for compile, run, trace and inspect: same results as the registered twin, header
/// settings with command-line overrides, and syntax errors as one <c>error: file:line:col: message</c> line.</summary>
public class RaspFileCliTests
{
    internal static string Example(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(Path.Combine(candidate, "registry"))) return Path.Combine([candidate, .. parts]);
        }
        throw new DirectoryNotFoundException("examples/registry not found");
    }

    [Theory]
    [InlineData("reverse", "a b c d")]
    [InlineData("frac_prevs_1", "h e l l o")]
    [InlineData("sort_freq", "2 1 2 3")]
    [InlineData("shift_by_two_causal", "a b c d")]
    public void RunAndTraceMatchTheRegisteredProgram(string id, string input)
    {
        string file = Example("registry", id + ".rasp");
        foreach (var cmd in new[] { "run", "trace" })
        {
            var fromId = Run(cmd, "--program", id, "--input", input, "--json");
            var fromFile = Run(cmd, "--program", file, "--input", input, "--json");
            Assert.Equal(0, fromFile.ExitCode);
            Assert.Equal(fromId.Out, fromFile.Out);
        }
        var inspectId = Run("inspect", "--program", id, "--json").Json();
        var inspectFile = Run("inspect", "--program", file, "--json").Json();
        Assert.Equal(inspectId.GetProperty("residual_labels").ToString(), inspectFile.GetProperty("residual_labels").ToString());
        Assert.Equal(inspectId.GetProperty("sublayers").ToString(), inspectFile.GetProperty("sublayers").ToString());
    }

    [Fact]
    public void CompileAFileThenRunTheModel()
    {
        using var dir = new TempFolder();
        var c = Run("compile", "--program", Example("rasp-paper", "sort.rasp"), "--out", dir["m"]);
        Assert.True(c.ExitCode == 0, c.Err);
        Assert.StartsWith("compiled sort → ", c.Out);
        var r = Run("run", "--model", dir["m"], "--input", "d a c b a");
        Assert.Equal("a a b c d", r.Out.Trim());
    }

    [Fact]
    public void CommandLineOverridesTheHeader()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["p.rasp"], "# vocab: 1, 2, 3\n# max_seq_len: 3\nx = tokens + indices;\n");
        Assert.Equal("1 3 5", Run("run", "--program", dir["p.rasp"], "--input", "1 2 3").Out.Trim());
        AssertUsageError(Run("run", "--program", dir["p.rasp"], "--input", "1 2 3 1"), "longer than the maximum sequence length 3");
        Assert.Equal("1 3 5 4", Run("run", "--program", dir["p.rasp"], "--input", "1 2 3 1", "--max-seq-len", "4").Out.Trim());
        AssertUsageError(Run("run", "--program", dir["p.rasp"], "--input", "4"), "not in the vocabulary");
        Assert.Equal("4", Run("run", "--program", dir["p.rasp"], "--input", "4", "--vocab", "1,4").Out.Trim());
        var inspect = Run("inspect", "--program", dir["p.rasp"], "--causal", "--json").Json();
        Assert.True(inspect.GetProperty("causal").GetBoolean());
    }

    [Fact]
    public void FileWithoutSettingsNeedsThemOnTheCommandLine()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["p.rasp"], "x = tokens + 1;\n");
        AssertUsageError(Run("run", "--program", dir["p.rasp"], "--input", "1"), "has no vocabulary");
        AssertUsageError(Run("run", "--program", dir["p.rasp"], "--input", "1", "--vocab", "1,2"), "has no max_seq_len");
        Assert.Equal("2 3", Run("run", "--program", dir["p.rasp"], "--input", "1 2", "--vocab", "1,2", "--max-seq-len", "2").Out.Trim());
    }

    [Fact]
    public void SyntaxErrorIsOneLocatedLineThenTheSourceAndACaret()
    {
        using var dir = new TempFolder();
        string path = dir["bad.rasp"];
        File.WriteAllText(path, "# vocab: a\n# max_seq_len: 2\nx = map(lambda x: x + 1, tokens;\n");
        foreach (var cmd in new[] { "run", "trace", "inspect", "compile" })
        {
            string[] extra = cmd switch { "run" or "trace" => ["--input", "a"], "compile" => ["--out", dir["m"]], _ => [] };
            var r = Run([cmd, "--program", path, .. extra]);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal("", r.Out);
            var lines = r.Err.Split('\n');
            Assert.Equal($"error: {path}:3:32: expected ',' or ')' in the argument list, found ';'", lines[0]);
            Assert.Equal("  x = map(lambda x: x + 1, tokens;", lines[1]);
            Assert.Equal("                                 ^", lines[2]);
            Assert.DoesNotContain("   at ", r.Err);
        }
        Assert.False(Directory.Exists(dir["m"]));
    }

    [Fact]
    public void EvaluationErrorsAndMissingFiles()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["e.rasp"], "# vocab: a\n# max_seq_len: 2\ns = select(tokens, 1, ==);\n");
        var r = Run("run", "--program", dir["e.rasp"], "--input", "a");
        Assert.StartsWith($"error: {dir["e.rasp"]}:3:20: select's queries must be an SOp", r.Err);
        AssertUsageError(Run("run", "--program", dir["missing.rasp"], "--input", "a"), "does not exist");
        File.WriteAllText(dir["n.rasp"], "# vocab: a\n# max_seq_len: 2\nx = 1;\n");
        AssertUsageError(Run("run", "--program", dir["n.rasp"], "--input", "a"), "has no output");
        File.WriteAllText(dir["t.rasp"], "# vocab: a\n# max_seq_len: 2\nx = map(lambda x: x + 1, tokens);\n");
        AssertUsageError(Run("run", "--program", dir["t.rasp"], "--input", "a"), "TypeError");
    }

    [Fact]
    public void OverridesDoNotApplyToACompiledModel()
    {
        using var dir = new TempFolder();
        Assert.Equal(0, Run("compile", "--program", "reverse", "--out", dir["m"]).ExitCode);
        AssertUsageError(Run("run", "--model", dir["m"], "--input", "a", "--vocab", "a,b"), "apply to --program");
    }
}
