using TracrInjection.Rasp.Library;

namespace TracrInjection.Compiler.Tests.Golden;

/// <summary>tracr's UNSUPPORTED_TEST_CASES: each must be rejected with tracr's message (golden unsupported_programs.json).</summary>
public class UnsupportedProgramTests
{
    public static TheoryData<string> Cases() =>
        new(GoldenJson.File_("unsupported_programs.json").GetProperty("cases").EnumerateArray()
            .Select(c => c.GetProperty("testcase_name").GetString()!));

    [Theory, MemberData(nameof(Cases))]
    public void RejectedWithTracrsMessage(string name)
    {
        var golden = GoldenJson.File_("unsupported_programs.json").GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("testcase_name").GetString() == name);
        var spec = ProgramRegistry.Get("unsupported_" + name);
        var options = new CompilerOptions
        {
            Vocab = GoldenJson.ToValues(golden.GetProperty("vocab")),
            MaxSeqLen = golden.GetProperty("max_seq_len").GetInt32(),
            Causal = true,
        };
        var e = Assert.Throws<CompilationException>(() => RaspCompiler.Compile(spec.Build(), options));
        Assert.Equal(CompilationErrorKind.Unsupported, e.Kind);
        string expected = golden.GetProperty("message").GetString()!;
        if (golden.GetProperty("stage").GetString() == "static_validate") Assert.Equal(expected, e.Message);
        else Assert.Contains("Attention patterns can currently only average binary variables", e.Message);
        Assert.NotNull(e.ExpressionLabel);
    }
}
