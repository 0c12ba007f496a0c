using System.CommandLine;
using TracrInjection.Cli.Compilation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Repl;

/// <summary>
/// The REPL's <c>compile</c>, <c>trace</c> and <c>run NAME [flags]</c>: the command line's flags
/// (<see cref="CompileFlags"/>), compile path and model cache (<see cref="Compile.Run"/>) and model-folder writer
/// (<see cref="ModelFolder.Save"/>), applied to the session's text with the REPL's settings as the program's.
/// </summary>
internal sealed class ReplModelCommands(TextWriter output, ReplSettings settings)
{
    private readonly CompileFlags _flags = new(all: true);
    private readonly Option<string> _input = new("--input") { Description = "The input tokens, e.g. --input \"a b c\"." };
    private readonly Option<string> _out = new("--out") { Description = "Save the compiled model to this folder." };

    public void Execute(string cmd, List<string> words, Scope module, string acceptedSource, RaspSources sources, string directory, Value[] example)
    {
        if (words.Count < 2 || words[1].StartsWith("--", StringComparison.Ordinal))
        {
            output.WriteLine($"   usage: {cmd} NAME [options] (see help)");
            return;
        }
        string name = words[1];
        if (!module.Vars.TryGetValue(name, out var value))
        {
            output.WriteLine($"   error: '{name}' is not defined");
            return;
        }
        if (value is not SOp)
        {
            output.WriteLine($"   error: '{name}' is a {Runtime.TypeName(value)}; only an SOp can be compiled");
            return;
        }
        var command = new Command(cmd);
        _flags.AddTo(command);
        command.Options.Add(cmd == "compile" ? _out : _input);
        var parse = command.Parse(words.Skip(2).ToList());
        if (parse.Errors.Count > 0)
        {
            output.WriteLine($"   error: {parse.Errors[0].Message} (see help)");
            return;
        }

        LoadedModel loaded;
        CompilerOptions options;
        SOp program;
        Value[] tokens;
        try
        {
            string? inputText = cmd == "compile" ? null : parse.GetValue(_input);
            var rebuilt = RaspProgramText.Parse(acceptedSource, "<repl>",
                new RaspParseOptions { OutputName = name, Sources = sources, ReadHeader = false }, directory);
            var spec = rebuilt.ToProgramSpec(name, settings.For(example, inputText is null ? 0 : Inputs.Split(inputText).Length));
            program = rebuilt.RequireOutput();
            options = _flags.Apply(parse, spec);
            tokens = inputText is null ? example
                : options.Vocab.All(v => v.IsString) ? Inputs.Split(inputText)
                : Inputs.Split(inputText).Select(t => Value.ParseLiteral(t.ToString())).ToArray();
            loaded = Compile.Run(spec, options, subject: name, cacheKey: name + "\n" + acceptedSource);
        }
        catch (CliException e)
        {
            output.WriteLine($"   {(e.Message.StartsWith("cannot", StringComparison.Ordinal) ? "" : "error: ")}{e.Message}");
            return;
        }
        catch (RaspProgramException e)
        {
            foreach (var l in e.Formatted.Split('\n')) output.WriteLine("   " + l);
            return;
        }

        var model = loaded.Model;
        if (cmd == "compile")
        {
            ShowModel(name, loaded, options);
            if (parse.GetValue(_out) is { } outDir)
            {
                ModelFolder.Save(model, outDir, name, "tracr-inject repl", "tracr-inject repl", loaded.CompileSeconds);
                output.WriteLine($"   saved to {outDir}");
            }
            if (example.Length <= options.MaxSeqLen && example.All(t => options.Vocab.Contains(t)))
                RunOnce(program, model, example, options.Causal);
            return;
        }
        if (tokens.Length > options.MaxSeqLen)
        {
            output.WriteLine($"   error: the input has {tokens.Length} tokens, more than max_seq_len {options.MaxSeqLen}");
            return;
        }
        if (cmd == "run") RunOnce(program, model, tokens, options.Causal);
        else Trace(name, program, model, tokens, options.Causal);
    }

    private void ShowModel(string name, LoadedModel loaded, CompilerOptions options)
    {
        var model = loaded.Model;
        var size = ModelSizeReport.Of(model);
        output.WriteLine($"   compiled {name}: width {size.ResidualWidth}, layers {size.Layers}, heads {size.MaxHeads}, key_size {size.KeySize}, " +
                         $"mlp_hidden {size.MlpHiddenSize}, params {size.StoredParameters:N0} stored (tracr padded {size.TracrParameters:N0})" +
                         (loaded.Cached ? " (cached)" : $", {Inputs.Show(loaded.CompileSeconds)}"));
        output.WriteLine($"   vocab {TextOut.Abbreviate(options.Vocab)}, max_seq_len {options.MaxSeqLen}, causal {(options.Causal ? "true" : "false")}; " +
                         $"output {model.OutputLabel} ({(model.CategoricalOutput ? "categorical" : "numerical")})");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            output.WriteLine($"   layer_{l}/attn: {(layer.Heads.Count == 0 ? "—" : string.Join(", ", layer.Heads.Select(h => h.Node)))}");
            output.WriteLine($"   layer_{l}/mlp:  {(layer.Mlp is null ? "—" : string.Join(", ", layer.Mlp.Nodes))}");
        }
        foreach (var r in model.Repairs) output.WriteLine("   repair: " + r);
    }

    private (Value[] Compiled, Value[]? Rasp, IReadOnlyList<DecodedStage>? Stages)? Forward(SOp program, CompiledModel model, Value[] tokens, bool causal, bool trace)
    {
        int[] ids;
        try
        {
            ids = model.Encode(tokens);
        }
        catch (ArgumentException e)
        {
            output.WriteLine($"   error: {e.Message}");
            return null;
        }
        using var runtime = new CompiledTransformer(model);
        using var forward = runtime.Forward([ids], captureStages: trace);
        var decoder = new ResidualDecoder(model);
        var stages = trace ? decoder.Trace(forward) : null;
        var compiled = decoder.DecodeOutputs(forward)[0];
        Value[]? rasp = null;
        try
        {
            rasp = RaspEvaluator.Evaluate(program, tokens, causal);
        }
        catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError) { }
        return (compiled, rasp, stages);
    }

    private void RunOnce(SOp program, CompiledModel model, Value[] tokens, bool causal)
    {
        if (Forward(program, model, tokens, causal, trace: false) is { } r) WriteComparison(tokens, r.Compiled, r.Rasp);
    }

    private void WriteComparison(Value[] tokens, Value[] compiled, Value[]? rasp)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            tokens.Select(ReplDisplay.Cell).Prepend("input").ToList(),
            compiled.Select(ReplDisplay.Cell).Prepend("compiled").ToList(),
        };
        if (rasp is not null) rows.Add(rasp.Select(ReplDisplay.Cell).Prepend("rasp").ToList());
        ReplDisplay.Table(output, "   ", rows);
        if (rasp is not null)
        {
            bool agree = rasp.Zip(compiled).All(p => p.First.IsNone || Close(p.First, p.Second));
            output.WriteLine(agree ? "   the compiled model agrees with RASP" : "   the compiled model DIFFERS from RASP");
        }
    }

    // Numerical outputs are read off an MLP's piecewise-linear output, so they agree to within its rounding.
    private static bool Close(Value e, Value a) =>
        e.IsNumber && a.IsNumber ? Math.Abs(a.AsDouble - e.AsDouble) <= 1e-7 + 0.005 * Math.Abs(e.AsDouble) : e.Equals(a);

    private void Trace(string name, SOp program, CompiledModel model, Value[] tokens, bool causal)
    {
        if (Forward(program, model, tokens, causal, trace: true) is not { } r) return;
        output.WriteLine($"   trace of {name} (residual width {model.ResidualWidth}, {model.Layers.Count} layers); each stage lists the variables it changed");
        Dictionary<string, Value[]>? previous = null;
        foreach (var st in r.Stages!)
        {
            var changed = st.Variables.Where(kv => previous is null || !previous[kv.Key].SequenceEqual(kv.Value)).ToList();
            output.WriteLine($"   {st.Name}:");
            if (changed.Count == 0) output.WriteLine("      (no change)");
            else
            {
                var rows = new List<IReadOnlyList<string>> { tokens.Select(ReplDisplay.Cell).Prepend("").ToList() };
                foreach (var (v, values) in changed) rows.Add(values.Select(ReplDisplay.Cell).Prepend(v).ToList());
                ReplDisplay.Table(output, "      ", rows);
            }
            previous = st.Variables.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        output.WriteLine($"   output ({model.OutputLabel}):");
        WriteComparison(tokens, r.Compiled, r.Rasp);
    }
}
