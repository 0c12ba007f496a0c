using System.Diagnostics;
using TracrInjection.Cli.Repl;

namespace TracrInjection.Cli.Tests.Repl;

/// <summary>
/// The REPL driven three ways: in-process (lines fed to a session), through piped stdin of the real executable, and
/// in a terminal through tmux (keys typed, screen captured; skipped when tmux is not installed).
/// </summary>
public class ReplTests
{
    private static string Session(params string[] lines)
    {
        var w = new StringWriter();
        var s = new ReplSession(w, Path.GetDirectoryName(Text.RaspFileCliTests.Example("registry", "reverse.rasp")));
        var queue = new Queue<string>(lines);
        s.Run(prompt =>
        {
            if (queue.Count == 0) return null;
            var l = queue.Dequeue();
            w.WriteLine(prompt + l);
            return l;
        });
        return w.ToString().Replace("\r", "");
    }

    [Fact]
    public void ShowsSOpValuesAndSelectorMatrices()
    {
        string o = Session("set example \"hey\"", "x = 3 * indices;", "prevs = select(indices, indices, <);");
        Assert.Contains("   s-op: x  (Map, categorical)\n      example  h  e  y\n      value    0  3  6\n", o);
        Assert.Contains("   selector: prevs  (Select; row = query, column = key)\n         h  e  y\n      h  0  0  0\n      e  1  0  0\n      y  1  1  0\n", o);
    }

    [Fact]
    public void MultiLineInputHistoryAndErrors()
    {
        string o = Session(
            "def double(s) {",
            "  return s * 2;",
            "}",
            "y = double(",
            "  indices);",
            "z = tokens + 1",
            "",
            "bad = select(tokens, 1, ==);",
            "history");
        Assert.Contains(".. }\n   function double(s)", o);
        Assert.Contains(".. \n   s-op: z", o); // an empty line ends a statement without ';'
        Assert.Contains("      value    0  2  4  6  8", o);
        Assert.Contains("   <input 4>:1:22: select's queries must be an SOp, not an int", o);
        Assert.Contains("\n" + new string(' ', 5 + 21) + "^\n", o);
        Assert.Contains("      4  y = double(", o);
    }

    [Fact]
    public void LoadCompileTraceAndRunInsideTheRepl()
    {
        string o = Session(
            "load \"reverse.rasp\"",
            "set example \"abcd\"",
            "r2 = aggregate(select(indices, length - indices - 1, ==), reverse);",
            "compile reverse",
            "trace reverse --input \"d a\"",
            "run r2",
            "compile r2 --max-seq-len 3 --vocab a,b,c,d");
        Assert.Contains("compile settings from its header: vocab {'a', 'b', 'c', 'd'}, max_seq_len 5", o);
        Assert.Contains("   compiled reverse: width 43, layers 4, heads 1", o);
        Assert.Contains("   layer_3/attn: reverse_1", o);
        Assert.Contains("   compiled  d  c  b  a\n   rasp      d  c  b  a\n   the compiled model agrees with RASP", o);
        Assert.Contains("   layer_3/attn:\n                 d  a\n      reverse_1  a  d", o);
        Assert.Contains("   compiled  a  b  c  d", o); // reverse of reverse
        Assert.Contains("max_seq_len 3", o);
    }

    [Fact]
    public void CompileErrorsAreReportedNotThrown()
    {
        string o = Session("s = select(tokens, tokens, ==);", "compile s", "compile nope", "x = numerical(tokens);", "compile x");
        Assert.Contains("only an SOp can be compiled", o);
        Assert.Contains("'nope' is not defined", o);
        Assert.Contains("cannot compile x: ", o);
    }

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "tracr-inject.dll");

    [Fact]
    public void WorksWithPipedStdin()
    {
        var psi = new ProcessStartInfo("dotnet", [CliDll, "repl"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("set example \"aab\"\nh = selector_width(select(tokens, tokens, ==));\nsame = select(tokens, tokens, ==);\nexit\n");
        p.StandardInput.Close();
        string o = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Contains(">> h = selector_width(select(tokens, tokens, ==));", o);
        Assert.Contains("      value    2  2  1", o);
        Assert.Contains("         a  a  b\n      a  1  1  0\n      a  1  1  0\n      b  0  0  1", o.Replace("\r", ""));
    }

    [Fact]
    public void WorksInATerminalThroughTmux()
    {
        if (!File.Exists("/usr/bin/tmux") && !File.Exists("/usr/local/bin/tmux")) return; // tmux not installed: nothing to drive
        string name = "rasp-repl-" + Guid.NewGuid().ToString("N")[..8];
        void Tmux(params string[] args)
        {
            using var t = Process.Start(new ProcessStartInfo("tmux", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            t.WaitForExit();
        }
        string Screen()
        {
            using var t = Process.Start(new ProcessStartInfo("tmux", ["capture-pane", "-p", "-t", name, "-S", "-200"]) { RedirectStandardOutput = true })!;
            string s = t.StandardOutput.ReadToEnd();
            t.WaitForExit();
            return s;
        }
        string WaitFor(string text, int count = 1)
        {
            var sw = Stopwatch.StartNew();
            string s = "";
            while (sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                s = Screen();
                int n = 0, i = 0;
                while ((i = s.IndexOf(text, i, StringComparison.Ordinal)) >= 0) { n++; i += text.Length; }
                if (n >= count) return s;
                Thread.Sleep(200);
            }
            Assert.Fail($"'{text}' did not appear {count} time(s) on the screen:\n{s}");
            return s;
        }
        Tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "60", $"dotnet {CliDll} repl");
        try
        {
            WaitFor("running example: 'hello'");
            // (a trailing space keeps tmux from reading the final ';' as its own command separator)
            Tmux("send-keys", "-t", name, "-l", "hist = selector_width(select(tokens, tokens, ==)); ");
            Tmux("send-keys", "-t", name, "Enter");
            WaitFor("value    1  1  2  2  1");
            Tmux("send-keys", "-t", name, "-l", "same = select(tokens, tokens, ==); ");
            Tmux("send-keys", "-t", name, "Enter");
            string s = WaitFor("   selector: same");
            Assert.Contains("      l  0  0  1  1  0", s);
            // up-arrow twice recalls the first statement; Enter runs it again
            Tmux("send-keys", "-t", name, "Up");
            Tmux("send-keys", "-t", name, "Up");
            Tmux("send-keys", "-t", name, "Enter");
            WaitFor("value    1  1  2  2  1", count: 2);
            Tmux("send-keys", "-t", name, "-l", "exit");
            Tmux("send-keys", "-t", name, "Enter");
        }
        finally
        {
            Tmux("kill-session", "-t", name);
        }
    }
}
