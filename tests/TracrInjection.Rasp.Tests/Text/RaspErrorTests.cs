using TracrInjection.Rasp.Text;

namespace TracrInjection.Rasp.Tests.Text;

/// <summary>
/// Malformed programs, one kind each: every one fails with a <see cref="RaspProgramException"/> at the right line and
/// column, with a message naming the problem, a caret under the column, and never a stack trace.
/// </summary>
public class RaspErrorTests
{
    public sealed record Case(string Kind, string Text, int Line, int Column, string Fragment)
    {
        public override string ToString() => Kind;
    }

    public static readonly Case[] Cases =
    [
        // ---- lexical ----
        new("unknown character", "x = tokens @ 2;", 1, 12, "unexpected character '@'"),
        new("non-ASCII operator", "x = tokens ≠ 1;", 1, 12, "unexpected character '≠'"),
        new("unterminated string", "x = \"abc;\ny = 1;", 1, 5, "string is not closed"),
        new("unknown escape", "x = \"a\\qb\";", 1, 7, "unknown escape sequence '\\q'"),
        new("number run into a name", "x = 3abc;", 1, 6, "right after the number 3"),
        new("leading zeros", "x = 007;", 1, 5, "leading zeros"),
        new("integer too large", "x = 99999999999999999999;", 1, 5, "too large"),
        new("'!' alone", "x = !tokens;", 1, 5, "unexpected character '!'"),
        new("unclosed f-string brace", "x = f\"a{b\";", 1, 8, "not closed before the string ends"),

        // ---- grammar ----
        new("missing ';' at the end of a line", "x = 1\ny = 2;", 1, 6, "missing ';'"),
        new("missing ';' between statements on a line", "x = 1 y = 2;", 1, 7, "expected ';' after the statement, found name 'y'"),
        new("missing ';' at the end of input", "x = tokens", 1, 11, "missing ';'"),
        new("unclosed '(' at the end of input", "x = map(lambda x: x,\n  tokens", 1, 8, "'(' is never closed"),
        new("wrong closing bracket", "x = map(lambda x: x, tokens];", 1, 28, "expected ',' or ')' in the argument list, found ']'"),
        new("stray ')'", "x = tokens);", 1, 11, "found ')'"),
        new("stray '}'", "}", 1, 1, "no block is open"),
        new("stray ';'", "x = 1;;", 1, 7, "stray ';'"),
        new("missing operand", "x = 1 + ;", 1, 9, "expected a value before ';'"),
        new("missing comparison operand", "x = tokens == ;", 1, 15, "expected a value before ';'"),
        new("assignment to a literal", "1 = x;", 1, 3, "cannot assign to a literal"),
        new("assignment to a call", "f(x) = 2;", 1, 6, "cannot assign to a function call"),
        new("chained assignment", "a = b = 1;", 1, 7, "chained assignment"),
        new("keyword as a function name", "def return(x) { return x; }", 1, 5, "'return' is a keyword"),
        new("keyword where a value is expected", "x = for;", 1, 5, "unexpected keyword 'for'"),
        new("function without return", "def f(x) {\n  y = x;\n}", 1, 5, "has no 'return' statement"),
        new("return outside a function", "x = 1;\nreturn x;", 2, 1, "'return' outside a function"),
        new("duplicate parameter", "def f(x, x) { return x; }", 1, 10, "duplicate parameter 'x'"),
        new("Python-style ':' block", "def f(x):\n  return x", 1, 9, "block in braces"),
        new("unclosed function body", "def f(x) {\n  return x;\n", 1, 10, "is never closed"),
        new("lambda without ':'", "m = map(lambda x x + 1, tokens);", 1, 18, "expected ':' after the lambda's parameters"),
        new("'else' without 'if'", "else { x = 1; }", 1, 1, "'else' without"),
        new("conditional without 'else'", "x = 1 if y;", 1, 11, "expected 'else'"),
        new("'=' as a comparison", "s = select(tokens, tokens, =);", 1, 28, "the equality comparison is '=='"),
        new("positional after keyword argument", "a = aggregate(s, default=0, tokens);", 1, 29, "positional argument after a keyword argument"),
        new("repeated keyword argument", "a = aggregate(s, t, default=0, default=1);", 1, 32, "repeated"),
        new("empty index", "x = y[];", 1, 6, "empty index"),
        new("load without a file name", "load tracr_lib;", 1, 6, "expected a file name in quotes"),
        new("deep nesting", "x = " + new string('(', 300) + "1" + new string(')', 300) + ";", 1, 205, "nested too deeply"),

        // ---- header ----
        new("misspelt header setting", "# max_seqlen: 5\nx = tokens;", 1, 3, "did you mean 'max_seq_len'"),
        new("bad max_seq_len", "# max_seq_len: five\nx = tokens;", 1, 16, "must be a positive integer"),
        new("bad causal", "# causal: maybe\nx = tokens;", 1, 11, "must be true or false"),
        new("repeated vocabulary entry", "# vocab: a, b, a\nx = tokens;", 1, 16, "appears twice"),
        new("empty vocabulary item", "# vocab: a, , b\nx = tokens;", 1, 13, "empty item"),
        new("header setting given twice", "# causal: true\n# causal: false\nx = tokens;", 2, 3, "given twice"),
        new("output is not defined", "# output: y\nx = tokens;", 1, 11, "the output 'y' is not defined"),
        new("output is a selector", "# output: s\ns = select(tokens, tokens, ==);", 1, 11, "must be an SOp"),

        // ---- names and types while building ----
        new("undefined name", "x = tokns + 1;", 1, 5, "name 'tokns' is not defined (did you mean 'tokens'?)"),
        new("assignment to a built-in SOp", "tokens = 1;", 1, 1, "cannot assign to 'tokens'"),
        new("select with a constant", "s = select(tokens, 1, ==);", 1, 20, "select's queries must be an SOp, not an int"),
        new("select comparison in quotes", "s = select(tokens, tokens, \"==\");", 1, 28, "without quotes"),
        new("select with a bad predicate", "s = select(tokens, tokens, 3);", 1, 28, "select's predicate must be a comparison"),
        new("select predicate of one argument", "s = select(tokens, tokens, lambda k: k);", 1, 28, "must take 2 arguments"),
        new("aggregate of a non-selector", "a = aggregate(tokens, tokens);", 1, 15, "aggregate's first argument must be a selector"),
        new("aggregate with a tuple default", "a = aggregate(select(tokens, tokens, ==), tokens, (1, 2));", 1, 51, "not a tuple"),
        new("unknown keyword argument", "a = aggregate(select(tokens, tokens, ==), tokens, defualt=0);", 1, 51, "has no parameter 'defualt'"),
        new("map of a non-function", "m = map(3, tokens);", 1, 9, "map's function must be a function"),
        new("map function of two arguments", "m = map(lambda x, y: x, tokens);", 1, 9, "must take 1 argument"),
        new("map over a value", "m = map(lambda x: x, 3);", 1, 22, "map's second argument must be an SOp"),
        new("sequence_map with one SOp", "s = sequence_map(lambda x, y: x, tokens);", 1, 17, "at least two SOps"),
        new("numerical of a selector", "n = numerical(select(tokens, tokens, ==));", 1, 15, "a selector has no encoding"),
        new("name that is not a string", "x = tokens.named(5);", 1, 18, "a name must be a string"),
        new("unknown SOp method", "x = tokens.nmed(\"a\");", 1, 12, "an SOp has no method '.nmed'"),
        new("built-in called with too few arguments", "w = selector_width();", 1, 19, "selector_width() takes 1 argument (0 given)"),
        new("function called with too many arguments", "def f(a) { return a; }\nx = f(1, 2);", 2, 6, "f() takes 1 argument but 2 were given"),
        new("unpacking mismatch", "a, b = 1, 2, 3;", 1, 1, "cannot unpack 3 values into 2 names"),
        new("Python TypeError", "x = 1 + \"a\";", 1, 7, "TypeError: unsupported operand type(s) for +: 'int' and 'str'"),
        new("division by zero", "x = 1 / 0;", 1, 7, "division by zero"),
        new("selector in arithmetic", "s = select(tokens, tokens, ==);\nx = s + 1;", 2, 7, "cannot combine a selector"),
        new("loop over an SOp", "for t in tokens { x = t; }", 1, 10, "cannot loop over an SOp"),
        new("'if' on an SOp", "if tokens == \"a\" { x = 1; }", 1, 4, "cannot be an SOp"),
        new("calling an SOp", "x = tokens(\"abc\");", 1, 5, "an SOp cannot be called"),
        new("index out of range", "x = [1, 2][5];", 1, 11, "IndexError: list index out of range"),
        new("recursion too deep", "def f(x) { return f(x); }\ny = f(1);", 1, 20, "recursion too deep"),
        new("lambda using an undefined name", "m = map(lambda x: x + y, tokens);", 1, 23, "name 'y' is not defined"),
        new("lambda using an SOp", "y = indices + 1;\nm = map(lambda x: x + y, tokens);", 2, 9, "uses the SOp 'y' from outside"),
        new("load of a missing file", "load \"nope\";", 1, 6, "cannot find the file \"nope\""),
        new("error inside a function", "def f(a) {\n  return select(a, 1, ==);\n}\nx = f(tokens);", 2, 20, "select's queries must be an SOp"),
        new("error() called by the program", "x = error(\"pattern too short\");", 1, 10, "pattern too short"),
    ];

    public static TheoryData<Case> All() => new(Cases);

    [Fact]
    public void AtLeastThirtyKinds() => Assert.True(Cases.Select(c => c.Kind).Distinct().Count() >= 30);

    [Theory, MemberData(nameof(All))]
    public void ReportsLineColumnAndMessage(Case c)
    {
        var e = Assert.ThrowsAny<RaspProgramException>(() => RaspProgramText.Parse(c.Text, "bad.rasp"));
        Assert.True((e.Line, e.Column) == (c.Line, c.Column),
            $"{c.Kind}: expected {c.Line}:{c.Column}, got {e.Line}:{e.Column}: {e.Detail}");
        Assert.Contains(c.Fragment, e.Detail);
        Assert.StartsWith($"bad.rasp:{c.Line}:{c.Column}: ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.DoesNotContain("   at ", e.Formatted);

        // The caret line points at the column of the quoted source line.
        var lines = e.Formatted.Split('\n');
        Assert.Equal("  " + c.Text.Split('\n')[c.Line - 1], lines[1]);
        Assert.Equal(c.Column + 2, lines[2].Length);
        Assert.EndsWith("^", lines[2]);
    }

    [Fact]
    public void ErrorInsideAFunctionNamesTheCall()
    {
        var e = Assert.ThrowsAny<RaspProgramException>(() =>
            RaspProgramText.Parse("def f(a) {\n  return select(a, 1, ==);\n}\nx = f(tokens);", "bad.rasp"));
        Assert.Contains("in f(), called at bad.rasp:4:6", e.Formatted);
    }

    [Fact]
    public void CaretKeepsTabs()
    {
        var e = Assert.ThrowsAny<RaspProgramException>(() => RaspProgramText.Parse("\tx = 1 + ;", "bad.rasp"));
        Assert.Equal((1, 10), (e.Line, e.Column));
        Assert.Equal("  \t        ^", e.Formatted.Split('\n')[2]);
    }

    [Fact]
    public void SyntaxErrorsComeBeforeAnyEvaluation()
    {
        // the undefined name on line 1 is never reached: the whole file is parsed first
        var e = Assert.Throws<RaspSyntaxException>(() => RaspProgramText.Parse("x = undefined_name;\ny = (1;", "bad.rasp"));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void LoadCycleIsReported()
    {
        var dir = Directory.CreateTempSubdirectory("rasp-cycle").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.rasp"), "load \"b\";\nx = tokens;\n");
            File.WriteAllText(Path.Combine(dir, "b.rasp"), "# helper\n\nload \"a.rasp\";\n");
            var e = Assert.ThrowsAny<RaspProgramException>(() => RaspProgramText.ParseFile(Path.Combine(dir, "a.rasp")));
            Assert.Equal((3, 6), (e.Line, e.Column));
            Assert.EndsWith("b.rasp", e.FileName);
            Assert.Contains("circular load", e.Detail);
            Assert.Contains("a.rasp -> ", e.Detail);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ErrorInALoadedFilePointsIntoThatFile()
    {
        var dir = Directory.CreateTempSubdirectory("rasp-load").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "main.rasp"), "load \"lib\";\nx = f(tokens);\n");
            File.WriteAllText(Path.Combine(dir, "lib.rasp"), "def f(s) {\n  return s +;\n}\n");
            var e = Assert.Throws<RaspSyntaxException>(() => RaspProgramText.ParseFile(Path.Combine(dir, "main.rasp")));
            Assert.EndsWith("lib.rasp", e.FileName);
            Assert.Equal((2, 13), (e.Line, e.Column));
            Assert.Contains("while loading ", e.Formatted);
            Assert.Contains("lib.rasp from ", e.Formatted);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
