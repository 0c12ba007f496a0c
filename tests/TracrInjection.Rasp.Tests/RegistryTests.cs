using System.Globalization;
using System.Text.RegularExpressions;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests;

public class RegistryTests
{
    /// <summary>The held-out table of HELDOUT-PROGRAMS.md: id, source, vocab, max_seq_len, causal, mlp_exactness.</summary>
    public static IReadOnlyList<(string Id, string Source, Value[] Vocab, int MaxSeqLen, bool Causal, double Mlp)> HeldOut()
    {
        var rows = new List<(string, string, Value[], int, bool, double)>();
        foreach (var line in File.ReadLines(GoldenFiles.PathOf("HELDOUT-PROGRAMS.md")))
        {
            var m = Regex.Match(line, @"^\|\s*`(?<id>[^`]+)`\s*\|(?<rest>.*)$");
            if (!m.Success) continue;
            var cells = m.Groups["rest"].Value.Split(" | ").Select(c => c.Trim()).ToArray();
            rows.Add((m.Groups["id"].Value, cells[0], ParsePyList(cells[1]), int.Parse(cells[2], CultureInfo.InvariantCulture),
                bool.Parse(cells[3]), double.Parse(cells[4], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    /// <summary>Parses a Python list literal of str/int elements such as <c>['a', 'b']</c> or <c>[0, 1, 2]</c>.</summary>
    private static Value[] ParsePyList(string text)
    {
        text = text.Trim();
        Assert.True(text.StartsWith('[') && text.EndsWith(']'), text);
        var items = new List<Value>();
        int i = 1;
        while (i < text.Length - 1)
        {
            char c = text[i];
            if (c is ' ' or ',') { i++; continue; }
            if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                items.Add(text[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                int end = i;
                while (end < text.Length - 1 && text[end] != ',') end++;
                items.Add(Value.ParseLiteral(text[i..end].Trim()));
                i = end;
            }
        }
        return items.ToArray();
    }

    public static TheoryData<string> HeldOutIds => new(HeldOut().Select(r => r.Id));

    [Fact]
    public void Held_out_table_is_read()
    {
        var rows = HeldOut();
        Assert.True(rows.Count >= 14, $"{rows.Count} rows");
        var dyck = rows.Single(r => r.Id == "paper_shuffle_dyck3");
        Assert.Equal(8, dyck.Vocab.Length);
        Assert.Contains(dyck.Vocab, v => v.Equals(Value.Str(" ")));
        Assert.All(rows.Single(r => r.Id == "sort_freq").Vocab, v => Assert.Equal(ValueKind.Int, v.Kind));
    }

    [Theory, MemberData(nameof(HeldOutIds))]
    public void Held_out_program_is_registered_with_the_listed_settings(string id)
    {
        var row = HeldOut().Single(r => r.Id == id);
        var spec = ProgramRegistry.Get(id);
        Assert.Equal(row.Source, spec.Source);
        Assert.Equal(row.Vocab.Length, spec.Vocab.Count);
        for (int i = 0; i < row.Vocab.Length; i++)
            Assert.True(PyAssert.Same(spec.Vocab[i], row.Vocab[i]), $"vocab[{i}] {spec.Vocab[i].Repr()} vs {row.Vocab[i].Repr()}");
        Assert.Equal(row.MaxSeqLen, spec.MaxSeqLen);
        Assert.Equal(row.Causal, spec.Causal);
        Assert.Equal(row.Mlp, spec.MlpExactness);
        bool paper = id.StartsWith("paper_", StringComparison.Ordinal);
        Assert.Equal(paper ? "bos" : "compiler_bos", spec.CompilerBos);
        Assert.Equal(paper ? "pad" : "compiler_pad", spec.CompilerPad);

        var program = spec.Build();
        Assert.EndsWith("_1", program.Label);
    }

    [Fact]
    public void Ids_are_unique_and_cover_golden_held_out_and_paper_programs()
    {
        var ids = ProgramRegistry.All.Select(p => p.Id).Concat(ProgramRegistry.Unsupported.Select(p => p.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var id in GoldenFiles.ProgramIds()) Assert.Contains(id, ids);
        foreach (var row in HeldOut()) Assert.Contains(row.Id, ids);
        foreach (var id in new[] { "paper_int_sum", "paper_int_sum_3digit", "paper_count", "paper_shuffle_dyck3", "sort_freq",
                     "shuffle_dyck3", "length_numerical" })
            Assert.Contains(id, ids);
        Assert.All(ProgramRegistry.Unsupported, p => Assert.StartsWith("unsupported_", p.Id));
        Assert.All(ProgramRegistry.Unsupported, p => Assert.NotNull(p.ExpectedCompileError));
        Assert.All(ProgramRegistry.All, p => Assert.Null(p.ExpectedCompileError));
    }

    public static TheoryData<string> AllIds => new(ProgramRegistry.All.Concat(ProgramRegistry.Unsupported).Select(p => p.Id));

    /// <summary>Every program builds, its vocab excludes BOS/PAD, and its labels start at 1 in every build.</summary>
    [Theory, MemberData(nameof(AllIds))]
    public void Every_program_builds_deterministically(string id)
    {
        var spec = ProgramRegistry.Get(id);
        Assert.False(string.IsNullOrWhiteSpace(spec.Description));
        Assert.False(string.IsNullOrWhiteSpace(spec.Source));
        Assert.DoesNotContain(spec.Vocab, v => v.Equals(Value.Str(spec.CompilerBos)) || v.Equals(Value.Str(spec.CompilerPad)));
        Assert.Equal(spec.Vocab.Count, spec.Vocab.Distinct().Count());
        Assert.True(spec.MaxSeqLen > 0);

        var a = spec.Build();
        var b = spec.Build();
        Assert.NotSame(a, b);
        var la = ExtractionOrder.Nodes(a).Select(n => n.Label).ToList();
        var lb = ExtractionOrder.Nodes(b).Select(n => n.Label).ToList();
        Assert.Equal(la, lb);
        if (a is not TokensType and not IndicesType) Assert.EndsWith("_1", a.Label);

        // Evaluates on a short in-vocabulary input unless it is meant to fail (paper_int_sum raises in tracr too).
        var input = spec.Vocab.Take(Math.Min(3, spec.MaxSeqLen)).ToArray();
        if (!id.StartsWith("paper_int_sum", StringComparison.Ordinal))
            Assert.Equal(input.Length, RaspEvaluator.Evaluate(a, input, spec.Causal).Length);
    }

    [Fact]
    public void Get_unknown_id_lists_close_ids()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => ProgramRegistry.Get("revrse"));
        Assert.Contains("reverse", ex.Message);
        ex = Assert.Throws<KeyNotFoundException>(() => ProgramRegistry.Get("shuffle_dyck"));
        Assert.Contains("shuffle_dyck2", ex.Message);
        ex = Assert.Throws<KeyNotFoundException>(() => ProgramRegistry.Get("zzzzzzzzzzzzzzzzzzzzzzzz"));
        Assert.Contains("frac_prevs_1", ex.Message);
        Assert.False(ProgramRegistry.TryGet("nope", out var none));
        Assert.Null(none);
        Assert.True(ProgramRegistry.TryGet("unsupported_numerical_tokens", out var u));
        Assert.NotNull(u);
    }

    [Fact]
    public void Paper_3_digit_sum_differs_from_the_4_digit_one_only_in_digits()
    {
        var four = ExtractionOrder.Nodes(ProgramRegistry.Get("paper_int_sum").Build()).Select(n => n.Label).ToList();
        var three = ExtractionOrder.Nodes(ProgramRegistry.Get("paper_int_sum_3digit").Build()).Select(n => n.Label).ToList();
        Assert.Equal(100, four.Count);
        Assert.True(three.Count < four.Count);
        Assert.Contains("final_2_digit", string.Join(" ", three));
        Assert.DoesNotContain("final_3_digit", string.Join(" ", three));
        Assert.Equal("final_result_1", three[0]);
    }

    /// <summary>tracr's unsupported cases are registered with vocab {1,2,3}, N = 5, causal, and build.</summary>
    [Fact]
    public void Unsupported_cases_match_the_golden_list()
    {
        var cases = GoldenJson.File_("unsupported_programs.json").GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(cases.Count, ProgramRegistry.Unsupported.Count);
        foreach (var c in cases)
        {
            var name = c.GetProperty("testcase_name").GetString()!;
            var spec = ProgramRegistry.Get("unsupported_" + name);
            Assert.Equal(GoldenJson.ToValues(c.GetProperty("vocab")), spec.Vocab);
            Assert.Equal(c.GetProperty("max_seq_len").GetInt32(), spec.MaxSeqLen);
            Assert.Equal(c.GetProperty("causal").GetBoolean(), spec.Causal);
            Assert.EndsWith(c.GetProperty("message").GetString()!, spec.ExpectedCompileError);
            Assert.Contains(c.GetProperty("error_type").GetString()!, spec.ExpectedCompileError);
            Assert.StartsWith(c.GetProperty("stage").GetString()! + ":", spec.ExpectedCompileError);
        }
    }
}
