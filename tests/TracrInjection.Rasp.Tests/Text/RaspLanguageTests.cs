using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Rasp.Tests.Text;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>What RASP text means: tracr's constructions (operators, fusion, selector simplification, labels) and
/// Python's value semantics inside map/select functions.</summary>
public class RaspLanguageTests
{
    private static ParsedProgram P(string text) => RaspProgramText.Parse(text, "test.rasp");

    private static Value[] Eval(string text, params Value[] input) => RaspEvaluator.Evaluate(P(text).RequireOutput(), input);

    private static Value[] Ints(params long[] xs) => xs.Select(x => Value.Int(x)).ToArray();
    private static Value[] Strs(string s) => s.Select(c => Value.Str(c.ToString())).ToArray();

    private static void Same(Value[] expected, Value[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Equals(actual[i]) && expected[i].Kind == actual[i].Kind,
                $"position {i}: expected {expected[i].Repr()} ({expected[i].TypeName}), got {actual[i].Repr()} ({actual[i].TypeName})");
        }
    }

    private static List<string> Labels(SOp program) => ExtractionOrder.Nodes(program).Select(n => n.Label).ToList();

    private static List<string> LabelsOf(Func<Lib, SOp> build)
    {
        using (IdScope.Begin()) return Labels(build(new Lib()));
    }

    // ---- labels: the same program in text and in C# ----

    [Fact]
    public void ReverseHasTracrsLabels()
    {
        var text = P("load \"tracr_lib\";\nr = make_reverse(tokens);").RequireOutput();
        Assert.Equal(LabelsOf(lib => lib.MakeReverse(Rasp.Tokens)), Labels(text));
        Assert.Equal("reverse_1", text.Label);
    }

    [Fact]
    public void ShuffleDyckHasTracrsLabels() =>
        Assert.Equal(LabelsOf(lib => lib.MakeShuffleDyck(["()", "{}"])),
            Labels(P("load \"tracr_lib\";\nd = make_shuffle_dyck([\"()\", \"{}\"]);").RequireOutput()));

    [Fact]
    public void EveryParseStartsAFreshIdCounter()
    {
        const string text = "x = map(lambda x: x + 1, tokens);\ny = sequence_map(lambda a, b: a + b, x, indices);";
        Assert.Equal(Labels(P(text).RequireOutput()), Labels(P(text).RequireOutput()));
        Assert.Equal(["sequence_map_1", "map_2", "indices", "tokens"], Labels(P(text).RequireOutput()));
        var p = P(text);
        var spec = p.ToProgramSpec("t", vocab: Ints(1, 2), maxSeqLen: 3);
        Assert.Equal(Labels(spec.Build()), Labels(spec.Build()));
        Assert.NotSame(spec.Build(), spec.Build());
    }

    // ---- tracr's constructions ----

    [Fact]
    public void MapOfMapFusesAndDropsTheInnerAnnotations()
    {
        var p = P("a = numerical(map(lambda x: x + 1, tokens)).named(\"inner\");\nb = map(lambda x: x * 2, a);\nc = map(lambda x: x * 2, a, simplify=False);");
        var b = Assert.IsType<Map>(p.Globals["b"]);
        Assert.Same(Rasp.Tokens, b.Inner);
        Assert.True(b.IsCategorical);
        var c = Assert.IsType<Map>(p.Globals["c"]);
        Assert.Same(p.Globals["a"], c.Inner);
        Same(Ints(4, 6), RaspEvaluator.Evaluate(b, Ints(1, 2)));
    }

    [Fact]
    public void OperatorSugarBuildsTracrsExpressions()
    {
        var p = P("a = tokens + 1;\nb = tokens + indices;\nc = 1 - indices;\nd = 1 < tokens;\ne = tokens == \"x\";\nf = not (tokens == 1);\n" +
                  "g = length - indices - 1;\nh = tokens and indices;\ni = 0 or tokens;\nj = tokens % 3;\nk = -tokens;");
        Assert.IsType<Map>(p.Globals["a"]);
        var b = Assert.IsType<SequenceMap>(p.Globals["b"]);
        Assert.Same(Rasp.Tokens, b.Fst);
        Assert.Same(Rasp.Indices, b.Snd);
        Same(Ints(1, 0, -1), RaspEvaluator.Evaluate((SOp)p.Globals["c"], Ints(5, 5, 5)));
        Same([Value.False, Value.False, Value.True], RaspEvaluator.Evaluate((SOp)p.Globals["d"], Ints(0, 1, 2)));
        // (length - indices) - 1: a Map over a SequenceMap (Maps fuse only with Maps)
        var g = Assert.IsType<Map>(p.Globals["g"]);
        Assert.IsType<SequenceMap>(g.Inner);
        Same(Ints(2, 1, 0), RaspEvaluator.Evaluate(g, Ints(7, 7, 7)));
        // tracr's `k | s` is Map(x or k), not Map(k or x)
        Same(Ints(0, 5), RaspEvaluator.Evaluate((SOp)p.Globals["i"], Ints(0, 5)));
        Same(Ints(2, 0, 2), RaspEvaluator.Evaluate((SOp)p.Globals["j"], Ints(-1, 3, 5))); // Python's % follows the divisor's sign
        Same(Ints(-3, 4), RaspEvaluator.Evaluate((SOp)p.Globals["k"], Ints(3, -4)));
    }

    [Fact]
    public void SelectorLogicMergesAsTracrDoes()
    {
        var p = P("k = tokens + 0;\na = select(k, indices, ==) and select(k, indices, <);\nb = select(tokens, indices, ==) or select(indices, indices, <);\n" +
                  "c = not select(tokens, tokens, ==);\nd = not (select(tokens, indices, ==) or select(indices, indices, <));\ne = select(k, k, <) | select(k, k, ==);");
        Assert.IsType<Select>(p.Globals["a"]);          // same keys and queries objects: one Select
        Assert.IsType<SelectorOr>(p.Globals["b"]);      // different keys: a composite selector
        Assert.IsType<Select>(p.Globals["c"]);          // not of a Select: negated predicate
        Assert.IsType<SelectorNot>(p.Globals["d"]);
        Assert.IsType<Select>(p.Globals["e"]);
        var m = RaspEvaluator.EvaluateSelector((Selector)p.Globals["e"], Ints(3, 1, 2));
        Assert.True(m[0, 1] && m[0, 2] && m[0, 0] && !m[1, 0] && m[2, 1]); // key <= query
    }

    [Theory]
    [InlineData("==", "1 0 0|0 0 1|0 1 0")]
    [InlineData("!=", "0 1 1|1 1 0|1 0 1")]
    [InlineData("<", "0 0 0|1 0 0|1 0 1")]
    [InlineData("<=", "1 0 0|1 0 1|1 1 1")]
    [InlineData(">", "0 1 1|0 1 0|0 0 0")]
    [InlineData(">=", "1 1 1|0 1 1|0 1 0")]
    [InlineData("True", "1 1 1|1 1 1|1 1 1")]
    [InlineData("False", "0 0 0|0 0 0|0 0 0")]
    public void EveryComparisonSelectsKeyOpQuery(string op, string expected)
    {
        // keys = tokens [1, 3, 2], queries = indices + 1 = [1, 2, 3]; rows are queries, columns keys
        var sel = (Selector)P($"q = indices + 1;\ns = select(tokens, q, {op});").Globals["s"];
        Assert.Equal(op is "True" or "False" ? Enum.Parse<Comparison>(op.ToUpperInvariant()) : null,
            op is "True" or "False" ? ((Select)sel).Comparison : null);
        var m = RaspEvaluator.EvaluateSelector(sel, Ints(1, 3, 2));
        string actual = string.Join("|", Enumerable.Range(0, 3).Select(q => string.Join(" ", Enumerable.Range(0, 3).Select(k => m[q, k] ? "1" : "0"))));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SelectWithALambdaGetsKeyThenQuery()
    {
        var m = RaspEvaluator.EvaluateSelector((Selector)P("s = select(indices, indices, lambda k, q: q == k + 1);").Globals["s"], Ints(0, 0, 0));
        Assert.True(m[1, 0] && m[2, 1] && !m[0, 1]);
    }

    [Fact]
    public void AnnotationsAndNames()
    {
        var p = P("a = numerical(tokens == 1).named(\"bools\");\nb = categorical(a);\ns = select(tokens, tokens, ==).named(\"same\");\nc = a.categorical();");
        var a = (SOp)p.Globals["a"];
        Assert.True(a.IsNumerical);
        Assert.Equal("bools", a.Name);
        Assert.True(((SOp)p.Globals["b"]).IsCategorical);
        Assert.Equal("same", ((Selector)p.Globals["s"]).Name);
        Assert.True(((SOp)p.Globals["c"]).IsCategorical);
    }

    [Fact]
    public void AggregateDefaultsAndSelectorWidth()
    {
        var p = P("s = select(indices, indices, lambda k, q: q == k + 1);\na = aggregate(s, tokens);\nb = numerical(aggregate(s, numerical(tokens == 1), default=0));\nw = selector_width(s);");
        Same([Value.None, Value.Int(5), Value.Int(6)], RaspEvaluator.Evaluate((SOp)p.Globals["a"], Ints(5, 6, 7)));
        Assert.Equal(Value.Int(0), ((Aggregate)p.Globals["b"]).Default);
        Same(Ints(0, 1, 1), RaspEvaluator.Evaluate((SOp)p.Globals["w"], Ints(5, 6, 7)));
    }

    [Fact]
    public void NarySequenceMapIsTracrsConstruction()
    {
        var p = P("r = sequence_map(lambda x, y, z: x + y - z, tokens, tokens, indices);");
        var m = Assert.IsType<Map>(p.Output);
        var outer = Assert.IsType<SequenceMap>(m.Inner);
        Assert.IsType<SequenceMap>(outer.Fst);
        Assert.Same(Rasp.Indices, outer.Snd);
        Same(Ints(2, 3, 4), RaspEvaluator.Evaluate(p.RequireOutput(), Ints(1, 2, 3)));
        Assert.Equal(LabelsOf(lib => lib.MakeNarySequenceMap(a => Py.Sub(Py.Add(a[0], a[1]), a[2]), Rasp.Tokens, Rasp.Tokens, Rasp.Indices)),
            Labels(p.RequireOutput()));
    }

    [Fact]
    public void ElementwiseSugarOfTheOriginalRasp()
    {
        var p = P("v = tokens in [\"a\", \"e\"];\nd = {\"a\": 1, \"b\": 2}[tokens];\nc = \"x\" if tokens == \"a\" else tokens;\ni = indicator(tokens == \"a\");\n" +
                  "r = round(indices / 2);\nt = sequence_map(lambda a, b: (a, b), tokens, indices)[1];\nu = tokens.upper();");
        var input = Strs("aba");
        Same([Value.True, Value.False, Value.True], RaspEvaluator.Evaluate((SOp)p.Globals["v"], input));
        Same(Ints(1, 2, 1), RaspEvaluator.Evaluate((SOp)p.Globals["d"], input));
        Same(Strs("xbx"), RaspEvaluator.Evaluate((SOp)p.Globals["c"], input));
        Same(Ints(1, 0, 1), RaspEvaluator.Evaluate((SOp)p.Globals["i"], input));
        Same(Ints(0, 0, 1), RaspEvaluator.Evaluate((SOp)p.Globals["r"], input)); // round half to even: 0.5 -> 0, 1.0 -> 1
        Same(Ints(0, 1, 2), RaspEvaluator.Evaluate((SOp)p.Globals["t"], input));
        Same(Strs("ABA"), RaspEvaluator.Evaluate((SOp)p.Globals["u"], input));
    }

    // ---- Python semantics of values ----

    [Theory]
    [InlineData("7 / 2", "3.5")]
    [InlineData("4 / 2", "2.0")]
    [InlineData("-7 // 2", "-4")]
    [InlineData("-7 % 3", "2")]
    [InlineData("7.5 // 2", "3.0")]
    [InlineData("2 ** 10", "1024")]
    [InlineData("2 ** -1", "0.5")]
    [InlineData("-2 ** 2", "-4")]
    [InlineData("True + True", "2")]
    [InlineData("0 or \"x\"", "'x'")]
    [InlineData("1 and 0.0", "0.0")]
    [InlineData("not 0", "True")]
    [InlineData("1 if 2 > 3 else \"no\"", "'no'")]
    [InlineData("\"ab\" * 2 + \"c\"", "'ababc'")]
    [InlineData("(1, 2) + (3,)", "(1, 2, 3)")]
    [InlineData("2 in (1, 2)", "True")]
    [InlineData("\"b\" in \"abc\"", "True")]
    [InlineData("3 not in [1, 2]", "True")]
    [InlineData("1 < 2 < 3", "True")]
    [InlineData("3 > 2 > 2", "False")]
    [InlineData("int(\"12\") + int(3.9)", "15")]
    [InlineData("float(3)", "3.0")]
    [InlineData("str(1.0) + str(None)", "'1.0None'")]
    [InlineData("round(2.5) + round(3.5)", "6")]
    [InlineData("round(2.675, 2)", "2.67")]
    [InlineData("round(0.125, 2)", "0.12")]
    [InlineData("round(1234.5, -1)", "1230.0")]
    [InlineData("abs(-3) + min(4, 2) + max([1, 5, 2])", "10")]
    [InlineData("len((1, 2, 3)) + len(\"ab\")", "5")]
    [InlineData("(1, 2) < (1, 3)", "True")]
    [InlineData("1 == 1.0", "True")]
    [InlineData("\"abc\"[-1] + \"abc\"[0:2]", "'cab'")]
    [InlineData("sum([1, 2, 3.5])", "6.5")]
    [InlineData("sorted([3, 1, 2])[0]", "1")]
    [InlineData("[x * 2 for x in range(4) if x != 1][2]", "6")]
    [InlineData("f\"n={1 + 1}, s={'a'}\"", "'n=2, s=a'")]
    [InlineData("isinstance(True, int) and not isinstance(1.0, int)", "True")]
    [InlineData("\"12\".isdigit() and not \"1a\".isdigit()", "True")]
    [InlineData("5 & 3 | 8", "9")]
    [InlineData("~5", "-6")]
    [InlineData("1e-05 * 2", "2e-05")]
    public void PlainValuesFollowPython(string expr, string repr)
    {
        var v = P($"v = {expr};").Globals["v"];
        Assert.Equal(repr, Assert.IsType<Value>(v).Repr());
    }

    [Fact]
    public void MapFunctionsUsePythonSemanticsAndKeepErrorTypes()
    {
        Same([Value.Float(0.5), Value.Float(1.0)], Eval("m = map(lambda x: x / 2, tokens);", Ints(1, 2)));
        Same(Ints(1, 1), Eval("m = map(lambda x: -x // 2 % 3, tokens);", Ints(3, 4)));
        var te = Assert.Throws<PyTypeError>(() => Eval("m = map(lambda x: x + 1, tokens);", Strs("a")));
        Assert.StartsWith("test.rasp:1:21: ", te.Message);
        Assert.Throws<PyArithmeticError>(() => Eval("m = map(lambda x: 1 / x, tokens);", Ints(0)));
        Assert.Throws<PyTypeError>(() => Eval("m = map(lambda x: [x], tokens);", Ints(0)));
    }

    // ---- the language around the expressions ----

    [Fact]
    public void FunctionsLoopsAndConditions()
    {
        var p = P("""
            def fact(n) {
                if n <= 1 { return 1; }
                return n * fact(n - 1);
            }
            def shifted(sop, by=1) {
                return aggregate(select(indices, indices, lambda k, q: q == k + by), sop);
            }
            total = 0;
            for i, x in enumerate([10, 20, 30]) {
                total = total + i * x;
            }
            maps = [];
            for d in range(3) {
                maps.append(map(lambda x: x + d, tokens));
            }
            a, b = fact(5), shifted(tokens, by=2);
            pairs = [(p[0], p[1]) for p in ["()", "{}"]];
            out = maps[2];
            """);
        Assert.Equal(Value.Int(120), p.Globals["a"]);
        Assert.Equal(Value.Int(80), p.Globals["total"]);
        Same([Value.None, Value.None, Value.Int(1)], RaspEvaluator.Evaluate((SOp)p.Globals["b"], Ints(1, 2, 3)));
        // lambdas keep the loop variable's value at the time they were made (early binding)
        Same(Ints(12, 13), RaspEvaluator.Evaluate(p.RequireOutput(), Ints(10, 11)));
        Assert.Equal("out", p.OutputName);
        Assert.Equal("[('(', ')'), ('{', '}')]", Runtime.Repr(p.Globals["pairs"]));
    }

    [Fact]
    public void OutputIsTheHeadersOrTheLastSOpAssignment()
    {
        Assert.Equal("b", P("a = tokens + 1;\nb = a + 1;\nn = 3;").OutputName);
        Assert.Equal("a", P("# output: a\na = tokens + 1;\nb = a + 1;").OutputName);
        Assert.Null(P("x = 1;").Output);
        Assert.Throws<InvalidOperationException>(() => P("x = 1;").RequireOutput());
        var rebuilt = P("a = tokens + 1;\nb = a * 2;").Rebuild("a");
        Assert.Equal("a", rebuilt.OutputName);
        Same(Ints(2), RaspEvaluator.Evaluate(rebuilt.RequireOutput(), Ints(1)));
    }

    [Fact]
    public void HeaderSettings()
    {
        var h = P("""
            # A comment that describes the program.
            # Note: ordinary comments are fine.
            # vocab: a, "b c", 7, 2.5, False
            # max_seq_len: 7
            # causal: yes
            # bos: BOS
            # pad: "PAD"
            # mlp_exactness: 1000
            # output: y
            x = tokens;
            y = x == 1;
            """).Header;
        Assert.Equal([Value.Str("a"), Value.Str("b c"), Value.Int(7), Value.Float(2.5), Value.False], h.Vocab);
        Assert.Equal(7, h.MaxSeqLen);
        Assert.True(h.Causal);
        Assert.Equal("BOS", h.Bos);
        Assert.Equal("PAD", h.Pad);
        Assert.Equal(1000, h.MlpExactness);
        Assert.Equal("y", h.Output);
        Assert.Equal("A comment that describes the program.", h.Description);

        Assert.Equal(Strs("0123").Concat([Value.Str("+")]), P("# vocab: [str(i) for i in range(4)] + [\"+\"]\nx = tokens;").Header.Vocab);
        Assert.Equal([Value.Str("("), Value.Str(")")], P("# vocab: {(, )}\nx = tokens;").Header.Vocab);
        Assert.Null(P("x = tokens;\n# vocab: a\n").Header.Vocab); // only the leading comments are the header
    }

    [Fact]
    public void LoadedFilesKeepTheirPrivateNames()
    {
        var dir = Directory.CreateTempSubdirectory("rasp-private").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "lib.rasp"), "_helper = 3;\npublic_value = _helper + 1;\ndef add(s) { return s + _helper; }\n");
            File.WriteAllText(Path.Combine(dir, "main.rasp"), "load \"lib\";\nx = add(tokens);\n");
            var p = RaspProgramText.ParseFile(Path.Combine(dir, "main.rasp"));
            Assert.False(p.Globals.ContainsKey("_helper"));
            Assert.Equal(Value.Int(4), p.Globals["public_value"]);
            Same(Ints(4), RaspEvaluator.Evaluate(p.RequireOutput(), Ints(1)));
            Assert.Single(p.LoadedFiles);
            // a rebuild reads the remembered text, not the disk
            File.WriteAllText(Path.Combine(dir, "lib.rasp"), "def add(s) { return s; }\n");
            Same(Ints(4), RaspEvaluator.Evaluate(p.Rebuild().RequireOutput(), Ints(1)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CommentsAndWhitespaceAnywhere()
    {
        var p = P("x = map(  # the function\n    lambda x: x + 1,   # adds one\n    tokens\n);  # done\n\n\t# trailing comment");
        Same(Ints(2), RaspEvaluator.Evaluate(p.RequireOutput(), Ints(1)));
    }

    [Fact]
    public void TracrsPythonSpellingsWork()
    {
        var p = P("""
            m = rasp.numerical(rasp.Map(lambda x: x + 1, rasp.tokens)).named("m");
            s = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LEQ);
            a = rasp.numerical(rasp.Aggregate(s, m, default=0));
            r = lib.make_reverse(rasp.tokens);
            """);
        Assert.True(((SOp)p.Globals["m"]).IsNumerical);
        Assert.Equal(Comparison.LEQ, ((Select)p.Globals["s"]).Comparison);
        Assert.Equal(LabelsOf(lib => lib.MakeReverse(Rasp.Tokens)), Labels(p.RequireOutput()));
        var e = Assert.ThrowsAny<RaspProgramException>(() => P("x = rasp.Mapp(lambda x: x, tokens);"));
        Assert.Equal((1, 10), (e.Line, e.Column));
        Assert.Contains("module 'rasp' has no attribute 'Mapp'", e.Detail);
    }

    [Fact]
    public void BundledLibraryIsFound() => Assert.Contains("tracr_lib", RaspSources.StdlibNames);
}
