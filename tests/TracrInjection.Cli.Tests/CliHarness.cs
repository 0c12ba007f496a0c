using System.Text.Json;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Tests;

/// <summary>The result of one in-process <c>tracr-inject</c> call.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}, stderr: {Err}");
        return JsonDocument.Parse(Out).RootElement;
    }
}

public static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts a usage error: exit code 2, exactly one "error: ..." line on stderr, nothing on stdout.</summary>
    public static string AssertUsageError(CliResult r, string expected)
    {
        Assert.True(r.ExitCode == 2, $"expected exit code 2, got {r.ExitCode}; stdout: {r.Out}; stderr: {r.Err}");
        Assert.Equal("", r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {r.Err}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        return lines[0];
    }

    /// <summary>The golden inputs of a program (tokens as command-line strings) with tracr's model outputs.</summary>
    public static List<(string Line, Value[] Model)> GoldenInputs(string id) =>
        GoldenJson.Program(id).GetProperty("inputs").EnumerateArray()
            .Select(e => (string.Join(" ", GoldenJson.ToValues(e.GetProperty("input")).Select(v => v.ToString())),
                GoldenJson.ToValues(e.GetProperty("model"))))
            .ToList();

    /// <summary>tracr's comparison (numbers within 1e-7 + 0.005·|expected|) plus equal Python types.</summary>
    public static void AssertOutputsEqual(IReadOnlyList<Value> expected, IReadOnlyList<Value> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} outputs, got {actual.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.True(e.Kind == a.Kind, $"{what}: position {i}: expected {e.Repr()} ({e.TypeName}), got {a.Repr()} ({a.TypeName})");
            if (e.Kind == ValueKind.Float)
                Assert.True(Math.Abs(a.AsDouble - e.AsDouble) <= 1e-7 + 0.005 * Math.Abs(e.AsDouble), $"{what}: position {i}: expected {e.Repr()}, got {a.Repr()}");
            else
                Assert.True(e.Equals(a), $"{what}: position {i}: expected {e.Repr()}, got {a.Repr()}");
        }
    }
}
