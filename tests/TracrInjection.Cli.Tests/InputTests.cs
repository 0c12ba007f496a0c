using System.Text.Json;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;
using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>
/// Issue 11, item 1: plain <c>--input</c>/<c>--inputs</c> are whitespace-separated tokens whatever the first character
/// (every bracket vocabulary of the library), and <c>--input-json</c>/<c>--inputs-jsonl</c> carry tokens that are spaces.
/// </summary>
public class InputTests
{
    const string AngleDyck = "# vocab: \"(\", \")\", \"<\", \">\"\n# max_seq_len: 6\nload \"tracr_lib\";\nd = make_shuffle_dyck([\"()\", \"<>\"]);\n";

    /// <summary>A program (registered id, or <c>angle</c> for a shuffle-Dyck over <c>()</c> and <c>&lt;&gt;</c>) and inputs starting with each bracket.</summary>
    public static TheoryData<string, string[]> BracketCases() => new()
    {
        { "shuffle_dyck1", ["( )", ") (", "( ( ) )"] },
        { "shuffle_dyck2", ["{ ( } )", "( { ) }", "} {"] },
        { "shuffle_dyck3", ["[ ( ] )", "[ ]", "{ [ } ]", "( [ ) ]"] },
        { "paper_shuffle_dyck3", ["[ ( ] ) compute", "{ [ } ] compute", "( ] compute"] },
        { "angle", ["< ( > )", "< >", "> <", "( < ) >"] },
    };

    static (string Program, ProgramSpec Spec, TempFolder Dir) Resolve(string id)
    {
        var dir = new TempFolder();
        if (id != "angle") return (id, ProgramRegistry.Get(id), dir);
        File.WriteAllText(dir["angle.rasp"], AngleDyck);
        return (dir["angle.rasp"], RaspProgramText.ParseFile(dir["angle.rasp"]).ToProgramSpec(), dir);
    }

    static Value[] Expected(ProgramSpec spec, IReadOnlyList<Value> tokens) => RaspEvaluator.Evaluate(spec.Build(), tokens, spec.Causal);

    [Theory, MemberData(nameof(BracketCases))]
    public void BracketInputsAreTokensNotJson(string id, string[] lines)
    {
        var (program, spec, dir) = Resolve(id);
        using (dir)
        {
            File.WriteAllLines(dir["in.txt"], lines);
            var outputs = Run("run", "--program", program, "--inputs", dir["in.txt"], "--json").Json().GetProperty("outputs").EnumerateArray().ToList();
            Assert.Equal(lines.Length, outputs.Count);
            for (int i = 0; i < lines.Length; i++)
            {
                var tokens = lines[i].Split(' ').Select(Value.Str).ToArray();
                AssertOutputsEqual(Expected(spec, tokens), GoldenJson.ToValues(outputs[i]), $"{id} on [{lines[i]}]");

                var one = Run("run", "--program", program, "--input", lines[i], "--json").Json().GetProperty("outputs")[0];
                AssertOutputsEqual(Expected(spec, tokens), GoldenJson.ToValues(one), $"{id} --input [{lines[i]}]");

                var trace = Run("trace", "--program", program, "--input", lines[i], "--json").Json();
                Assert.Equal(tokens, GoldenJson.ToValues(trace.GetProperty("positions")));
                AssertOutputsEqual(Expected(spec, tokens), GoldenJson.ToValues(trace.GetProperty("output")), $"{id} trace [{lines[i]}]");
            }
        }
    }

    [Fact]
    public void SumVocabularySpaceTokenThroughJsonOptions()
    {
        // tracr's own inputs that hold the space token, with tracr's compiled outputs.
        var cases = GoldenJson.Program("paper_int_sum").GetProperty("inputs").EnumerateArray()
            .Select(e => (Tokens: GoldenJson.ToValues(e.GetProperty("input")), Model: GoldenJson.ToValues(e.GetProperty("model"))))
            .Where(c => c.Tokens.Any(t => t.ToString() == " ")).Take(4).ToList();
        Assert.True(cases.Count >= 3);
        using var dir = new TempFolder();
        string Json(Value[] tokens) => JsonSerializer.Serialize(tokens.Select(t => t.ToString()).ToArray());
        File.WriteAllLines(dir["in.jsonl"], cases.Select(c => Json(c.Tokens)).Prepend("").ToArray());
        var outputs = Run("run", "--program", "paper_int_sum", "--inputs-jsonl", dir["in.jsonl"], "--json").Json().GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(cases.Count, outputs.Count);
        for (int i = 0; i < cases.Count; i++)
        {
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(outputs[i]), $"jsonl line {i + 2}");
            string json = Json(cases[i].Tokens);
            var one = Run("run", "--program", "paper_int_sum", "--input-json", json, "--json").Json().GetProperty("outputs")[0];
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(one), $"--input-json {json}");
            var trace = Run("trace", "--program", "paper_int_sum", "--input-json", json, "--json").Json();
            Assert.Equal(cases[i].Tokens.Select(t => t.ToString()), GoldenJson.ToValues(trace.GetProperty("positions")).Select(t => t.ToString()));
            AssertOutputsEqual(cases[i].Model, GoldenJson.ToValues(trace.GetProperty("output")), $"trace --input-json {json}");
        }
    }

    [Fact]
    public void PlainInputNeverReadsJson()
    {
        // The old shortcut: a line starting with '[' was parsed as JSON. Now it is tokens, and '["a"]' is one unknown token.
        AssertUsageError(Run("run", "--program", "reverse", "--input", "[\"a\", \"b\"]"), "token '[\"a\",' at position 0 is not in the vocabulary");
    }

    [Fact]
    public void BadJsonInputsNameTheirLocation()
    {
        AssertUsageError(Run("run", "--program", "reverse", "--input-json", "[\"a\", "), "--input-json: not a JSON array of tokens");
        AssertUsageError(Run("run", "--program", "reverse", "--input-json", "{\"a\": 1}"), "--input-json: expected a JSON array of tokens");
        AssertUsageError(Run("trace", "--program", "reverse", "--input-json", "[\"a\", null]"), "--input-json: token 1 (null) must be a JSON string or number");
        AssertUsageError(Run("run", "--program", "reverse", "--input-json", "[]"), "the input holds no tokens");
        AssertUsageError(Run("run", "--program", "reverse", "--input-json", "[\"a\", \"z\"]"), "token 'z' at position 1");
        using var dir = new TempFolder();
        File.WriteAllLines(dir["in.jsonl"], ["[\"a\", \"b\"]", "", "[\"a\" \"b\"]"]);
        AssertUsageError(Run("run", "--program", "reverse", "--inputs-jsonl", dir["in.jsonl"]), "in.jsonl:3: not a JSON array of tokens");
        File.WriteAllLines(dir["in2.jsonl"], ["[\"a\", \"b\"]", "[\"a\", \"q\"]"]);
        AssertUsageError(Run("run", "--program", "reverse", "--inputs-jsonl", dir["in2.jsonl"]), "in2.jsonl:2: token 'q' at position 1");
        AssertUsageError(Run("run", "--program", "reverse", "--inputs-jsonl", dir["absent.jsonl"]), "does not exist");
        File.WriteAllBytes(dir["bad.txt"], [0x61, 0x20, 0xff, 0xfe, 0x0a]);
        AssertUsageError(Run("run", "--program", "reverse", "--inputs", dir["bad.txt"]), "is not UTF-8 text");
        AssertUsageError(Run("run", "--program", "reverse", "--input", "a", "--input-json", "[\"a\"]"), "not --input and --input-json");
        AssertUsageError(Run("run", "--program", "reverse", "--input", "  "), "the input holds no tokens");
    }
}
