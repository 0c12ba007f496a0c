using System.Globalization;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Repl;

/// <summary>
/// The REPL's compile settings: what the user <c>set</c> over what a <c>load</c>ed file's header gave, in header
/// syntax (so quoting and expressions work as in a file), over the running example (its tokens are the vocabulary,
/// its length max_seq_len). The defaults of everything else are <see cref="CompilerOptions"/>' own.
/// </summary>
internal sealed class ReplSettings(TextWriter output)
{
    private ProgramHeader _user = new();
    private ProgramHeader _file = new();

    /// <summary>The user's settings over the loaded file's.</summary>
    public ProgramHeader Header => _user.Over(_file);

    public bool Causal => Header.Causal ?? false;

    /// <summary>A loaded file's header supplies the settings the user has not set; false when it has none.</summary>
    public bool Adopt(ProgramHeader fileHeader)
    {
        if (!fileHeader.HasSettings) return false;
        _file = fileHeader;
        return true;
    }

    /// <summary><c>set KEY VALUE</c> for a compile setting; false (after saying why) when it is not one or is wrong.</summary>
    public bool Set(string key, string value, string what)
    {
        var header = Parse(key, value, what);
        if (header is null) return false;
        _user = header.Over(_user);
        return true;
    }

    private ProgramHeader? Parse(string key, string value, string what)
    {
        try
        {
            var h = ProgramHeader.Parse(new SourceFile(what, $"# {key}: {value}\n"));
            if (!h.HasSettings) { output.WriteLine($"   unknown setting '{key}' (vocab, max_seq_len, causal, bos, pad, mlp_exactness)"); return null; }
            return h;
        }
        catch (RaspProgramException e)
        {
            output.WriteLine($"   error: {e.Detail}");
            return null;
        }
    }

    /// <summary>The settings for compiling on <paramref name="example"/> (and inputs up to <paramref name="longestInput"/> tokens).</summary>
    public CompilerOptions For(IReadOnlyList<Value> example, int longestInput) =>
        Header.ApplyTo(new CompilerOptions { Vocab = DefaultVocab(example), MaxSeqLen = Math.Max(example.Count, longestInput) });

    /// <summary>The example's distinct tokens, in Python's sorted order where they compare.</summary>
    public static IReadOnlyList<Value> DefaultVocab(IReadOnlyList<Value> example)
    {
        var distinct = new List<Value>();
        foreach (var v in example)
            if (!distinct.Contains(v)) distinct.Add(v);
        try
        {
            return distinct.Order(Comparer<Value>.Create((a, b) => Py.LessThan(a, b) ? -1 : Py.LessThan(b, a) ? 1 : 0)).ToList();
        }
        catch (PyTypeError)
        {
            return distinct.OrderBy(v => v.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    public string Describe(IReadOnlyList<Value> example)
    {
        var h = Header;
        var o = For(example, 0);
        return $"vocab {(h.Vocab is null ? $"(the example's tokens: {TextOut.Abbreviate(o.Vocab)})" : TextOut.Abbreviate(o.Vocab))}, " +
               $"max_seq_len {(h.MaxSeqLen is int k ? k.ToString(CultureInfo.InvariantCulture) : $"(the example's length: {example.Count})")}, " +
               $"causal {(o.Causal ? "true" : "false")}, bos '{o.CompilerBos}', pad '{o.CompilerPad}', " +
               $"mlp_exactness {TextOut.Show(Value.Float(o.MlpExactness))}";
    }
}
