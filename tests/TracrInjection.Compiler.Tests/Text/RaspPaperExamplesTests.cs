using CsCheck;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.Text;

/// <summary>
/// The RASP paper's classic programs, written in the tracr dialect (<c>examples/rasp-paper/</c>): evaluated with the
/// RASP evaluator they give the outputs of the original RASP REPL transcripts (tech-srl/RASP tests/tgt/paper_examples.txt
/// and its README), and each compiles with its header settings to a model that agrees with RASP evaluation.
/// </summary>
public class RaspPaperExamplesTests
{
    private static Value[] Chars(string s) => s.Select(c => Value.Str(c.ToString())).ToArray();
    private static Value[] Ints(params int[] xs) => xs.Select(x => Value.Int(x)).ToArray();
    private static Value[] Strs(string commaSeparated) => commaSeparated.Split(", ").Select(Value.Str).ToArray();

    private static ParsedProgram Load(string name) => RaspProgramText.ParseFile(ExamplesFolder.Path_("rasp-paper", name + ".rasp"));

    private static void AssertOutput(string program, string input, Value[] expected)
    {
        var p = Load(program);
        var actual = RaspEvaluator.Evaluate(p.RequireOutput(), Chars(input));
        Assert.True(expected.SequenceEqual(actual) && expected.Zip(actual).All(t => t.First.Kind == t.Second.Kind),
            $"{program}(\"{input}\"): expected [{string.Join(", ", expected.Select(v => v.Repr()))}], got [{string.Join(", ", actual.Select(v => v.Repr()))}]");
    }

    // Transcripts. The original RASP's *_bos programs read a leading BOS token "§" (its output at position 0 is
    // dropped here): tracr adds its own BOS, so the tracr-dialect programs take the input without it.

    [Fact]
    public void Reverse() => AssertOutput("reverse", "hello", Chars("olleh"));

    [Fact]
    public void HistogramReadme() => AssertOutput("histogram", "hello", Ints(1, 1, 2, 2, 1)); // README: histogram("hello")

    [Fact]
    public void HistogramNoBos() => // hist_nobos("hiya howdy doodly doo")
        AssertOutput("histogram", "hiya howdy doodly doo", Ints(2, 1, 3, 1, 3, 2, 5, 1, 4, 3, 3, 4, 5, 5, 4, 1, 3, 3, 4, 5, 5));

    [Fact]
    public void HistogramBos() => // hist_bos("§hiya how are you doing there ey")[1:]
        AssertOutput("histogram", "hiya how are you doing there ey",
            Ints(3, 2, 3, 2, 6, 3, 3, 1, 6, 2, 2, 4, 6, 3, 3, 1, 6, 1, 3, 2, 1, 1, 6, 1, 3, 4, 2, 4, 6, 4, 3));

    [Fact]
    public void Sort() => // sort_bos("§dfgfhfghDVSHRDFHdfsfsfegDGDFHDFG")[1:]
        AssertOutput("sort", "dfgfhfghDVSHRDFHdfsfsfegDGDFHDFG",
            Strs("D, D, D, D, D, F, F, F, G, G, H, H, H, R, S, V, d, d, e, f, f, f, f, f, f, g, g, g, h, h, s, s"));

    [Fact]
    public void DoubleHistogram() => // hist2_bos("§dkdnvdlvnksmncksnsknvkjns")[1:]
        AssertOutput("double_histogram", "dkdnvdlvnksmncksnsknvkjns",
            Ints(2, 1, 2, 1, 2, 2, 4, 2, 1, 1, 1, 4, 1, 4, 1, 1, 1, 1, 1, 1, 2, 1, 4, 1, 1));

    [Fact]
    public void MostFrequentSort() => // sort_by_most_freq("§dnv,dmnvs,alaadslksmvxlmvlskd")[1:]
        AssertOutput("most_freq", "dnv,dmnvs,alaadslksmvxlmvlskd",
            Strs("d, v, s, l, m, a, n, ,, k, x").Concat(Enumerable.Repeat(Value.Str("§"), 19)).ToArray());

    [Fact]
    public void Dyck1() => // dyck1_ptf("()(()())(((())(()(()))))((())((()()))(()))))(())((")
        AssertOutput("dyck1", "()(()())(((())(()(()))))((())((()()))(()))))(())((",
            Strs("P, T, P, P, P, P, P, T, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, T, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, T, F, F, F, F, F, F, F, F"));

    [Fact]
    public void Dyck2() => // dyck2_ptf("{{({(){}()})}({}){}{}}{(({}(){}))}{}(){}({}(){()(){}}){)()}")
        AssertOutput("dyck2", "{{({(){}()})}({}){}{}}{(({}(){}))}{}(){}({}(){()(){}}){)()}",
            Strs("P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, T, P, P, P, P, P, P, P, P, P, P, P, T, P, T, P, T, P, T, P, P, P, P, P, P, P, P, P, P, P, P, P, T, P, F, F, F, F"));

    [Fact]
    public void Dyck3() => // dyck3_ptf("()[](){{}(){}[]}[[]]([]){}()(])[[]]{{}}()[]")
        AssertOutput("dyck3", "()[](){{}(){}[]}[[]]([]){}()(])[[]]{{}}()[]",
            Strs("P, T, P, T, P, T, P, P, P, P, P, P, P, P, P, T, P, P, P, T, P, P, P, T, P, T, P, T, P, F, F, F, F, F, F, F, F, F, F, F, F, F, F"));

    public static TheoryData<string> Programs() =>
        new(Directory.GetFiles(ExamplesFolder.Path_("rasp-paper"), "*.rasp").Select(Path.GetFileNameWithoutExtension)
            .Where(n => n != "dyck_k").Order()!);

    /// <summary>Compiled with its header's settings, each program agrees with RASP evaluation on random inputs.</summary>
    [Theory, MemberData(nameof(Programs))]
    public void CompilesAndAgreesWithRasp(string name)
    {
        var spec = Load(name).ToProgramSpec();
        Assert.NotEmpty(spec.Vocab);
        var program = spec.Build();
        var model = RaspCompiler.Compile(program, spec.Settings);
        Gen.Int[0, spec.Vocab.Count - 1].Array[1, spec.MaxSeqLen].Sample(ids =>
        {
            var input = ids.Select(i => spec.Vocab[i]).ToArray();
            var expected = RaspEvaluator.Evaluate(program, input, spec.Causal);
            var actual = ReferenceForward.Run(model, input);
            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i].IsNone) continue;
                Assert.True(expected[i].Equals(actual[i]),
                    $"{name} on [{string.Join(" ", input.Select(x => x.ToString()))}] position {i}: RASP {expected[i].Repr()}, compiled {actual[i].Repr()}");
            }
        }, iter: 60, seed: "0N0XIzNsQ0O2", threads: 1);
    }
}
