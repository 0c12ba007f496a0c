using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Every kind of bad input: exit code 2, one "error:" line naming the problem, no stack trace, no partial output.</summary>
public class ErrorTests
{
    [Fact]
    public void UnknownProgram()
    {
        AssertUsageError(Run("run", "--program", "revers", "--input", "a"), "Unknown program id 'revers'");
        using var dir = new TempFolder();
        AssertUsageError(Run("compile", "--program", "nope", "--out", dir["m"]), "Unknown program id 'nope'");
        Assert.False(Directory.Exists(dir["m"]));
    }

    [Fact]
    public void TokenNotInVocabulary()
    {
        AssertUsageError(Run("run", "--program", "reverse", "--input", "a b x"), "token 'x' at position 2 is not in the vocabulary {'a', 'b', 'c', 'd'}");
        AssertUsageError(Run("trace", "--program", "reverse", "--input", "q"), "token 'q' at position 0");
        using var dir = new TempFolder();
        File.WriteAllLines(dir["in.txt"], ["a b", "a z"]);
        AssertUsageError(Run("run", "--program", "reverse", "--inputs", dir["in.txt"], "--json"), "in.txt:2: token 'z' at position 1");
    }

    [Fact]
    public void InputLongerThanMaxSeqLen() =>
        AssertUsageError(Run("run", "--program", "reverse", "--input", "a b c d a b"), "longer than the maximum sequence length 5");

    [Fact]
    public void UnsupportedProgram()
    {
        using var dir = new TempFolder();
        AssertUsageError(Run("compile", "--program", "unsupported_numerical_tokens", "--out", dir["m"]), "Unsupported RASP expressions:");
        Assert.False(Directory.Exists(dir["m"]));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        AssertUsageError(Run("run", "--program", "unsupported_numerical_numerical_aggregate", "--input", "1 2"), "cannot compile program");
    }

    [Fact]
    public void CompileFailureFromProgramFunctionsLeavesNoFolder()
    {
        using var dir = new TempFolder();
        AssertUsageError(Run("compile", "--program", "sort_tokens", "--vocab", "1,2,x", "--out", dir["m"]), "cannot compile program 'sort_tokens'");
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void MissingOrCorruptModelFolder()
    {
        using var dir = new TempFolder();
        AssertUsageError(Run("run", "--model", dir["absent"], "--input", "a"), "does not exist");
        Directory.CreateDirectory(dir["empty"]);
        AssertUsageError(Run("inspect", "--model", dir["empty"]), "has no config.json");

        Assert.Equal(0, Run("compile", "--program", "reverse", "--out", dir["m"]).ExitCode);
        File.WriteAllText(Path.Combine(dir["m"], "config.json"), "{ not json");
        AssertUsageError(Run("run", "--model", dir["m"], "--input", "a"), "config.json' is not valid JSON");

        Assert.Equal(0, Run("compile", "--program", "reverse", "--out", dir["m2"]).ExitCode);
        string st = Path.Combine(dir["m2"], "model.safetensors");
        File.WriteAllBytes(st, File.ReadAllBytes(st)[..100]);
        AssertUsageError(Run("trace", "--model", dir["m2"], "--input", "a"), "model.safetensors");

        Assert.Equal(0, Run("compile", "--program", "reverse", "--out", dir["m3"]).ExitCode);
        File.Delete(Path.Combine(dir["m3"], "model.safetensors"));
        AssertUsageError(Run("run", "--model", dir["m3"], "--input", "a"), "has no model.safetensors");
    }

    [Theory]
    [InlineData("--max-seq-len", "0", "--max-seq-len must be at least 1")]
    [InlineData("--max-seq-len", "abc", "Cannot parse argument 'abc' for option '--max-seq-len'")]
    [InlineData("--mlp-exactness", "-1", "--mlp-exactness must be a positive number")]
    [InlineData("--compress", "0", "--compress must be at least 1")]
    [InlineData("--vocab", "a,,b", "empty item")]
    [InlineData("--vocab", "a,b,a", "lists 'a' twice")]
    [InlineData("--bos", "a", "Compiler BOS token must not be present in the vocab")]
    public void BadCompileOptions(string option, string value, string expected)
    {
        using var dir = new TempFolder();
        AssertUsageError(Run("compile", "--program", "reverse", option, value, "--out", dir["m"]), expected);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void MissingOut() => AssertUsageError(Run("compile", "--program", "reverse"), "Option '--out' is required");

    [Fact]
    public void OutIsAForeignFolder()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir["mine"]);
        File.WriteAllText(Path.Combine(dir["mine"], "notes.txt"), "keep");
        AssertUsageError(Run("compile", "--program", "reverse", "--out", dir["mine"]), "refusing to replace it");
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir["mine"]).Select(Path.GetFileName));
    }

    [Fact]
    public void SourceAndInputOptionsMustBeGivenOnce()
    {
        AssertUsageError(Run("run", "--input", "a"), "give --model DIR or --program ID");
        AssertUsageError(Run("run", "--program", "reverse", "--model", "x", "--input", "a"), "not both");
        AssertUsageError(Run("run", "--program", "reverse"), "give --input");
        AssertUsageError(Run("run", "--program", "reverse", "--input", "a", "--inputs", "f"), "give one of --input or --input-json or --inputs or --inputs-jsonl, not --input and --inputs");
        AssertUsageError(Run("run", "--program", "reverse", "--inputs", "/definitely/not/here.txt"), "does not exist");
        AssertUsageError(Run("trace", "--program", "reverse"), "give --input");
    }

    [Fact]
    public void UnknownCommandOrOption()
    {
        AssertUsageError(Run("frobnicate"), "Unrecognized command or argument 'frobnicate'");
        AssertUsageError(Run("run", "--program", "reverse", "--input", "a", "--bogus"), "Unrecognized command or argument '--bogus'");
    }
}
