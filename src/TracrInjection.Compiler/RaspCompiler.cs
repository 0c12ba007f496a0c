using TracrInjection.Compiler.Allocation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Chamber;
using TracrInjection.Compiler.Graph;
using TracrInjection.Compiler.Validation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler;

/// <summary>Everything a compilation produced, stage by stage (for inspection and tests).</summary>
public sealed record Compilation(RaspGraph Graph, CraftModel Craft, CompiledModel Model);

/// <summary>tracr's <c>compile_rasp_to_model</c> (spec §2), stage by stage.</summary>
public static class RaspCompiler
{
    public static CompiledModel Compile(SOp program, CompilerOptions options) => CompileWithStages(program, options).Model;

    public static Compilation CompileWithStages(SOp program, CompilerOptions options)
    {
        ValidateOptions(options);
        var unsupported = StaticValidator.Validate(program, visitEveryExpression: options.FixTracrBugs);
        if (unsupported.Count > 0)
            throw new CompilationException(CompilationErrorKind.Unsupported,
                "Unsupported RASP expressions:\n" + string.Join("\n", unsupported.Select(u => u.ToString())), unsupported[0].Expr.Label);

        var graph = RaspGraph.Extract(program, separateLabelCollisions: options.FixTracrBugs);
        BasisInference.Infer(graph, options.Vocab, options.MaxSeqLen);
        var repairs = new List<string>();
        var defects = new List<TracrDefect>();
        if (!options.FixTracrBugs && !NumericalMlpsExactOnReachableValues(graph, options, out string? missed, out Value? missedValue))
            defects.Add(new TracrDefect(missed!, "B2",
                $"numerical MLP built for tracr's value set {{x/w}} of a numerical mean, which misses values the mean takes: wrong at input value {missedValue!.Repr()}"));
        if (options.FixTracrBugs && !NumericalMlpsExactOnReachableValues(graph, options, out string? where, out _))
        {
            // Bug B2: tracr's value set of a numerical mean is {x/w}, not {k/w}; a numerical MLP downstream was
            // built for values that miss real ones. Re-infer with exact means (layouts change only here).
            graph = RaspGraph.Extract(program, separateLabelCollisions: true);
            BasisInference.Infer(graph, options.Vocab, options.MaxSeqLen, exactNumericalMeans: true);
            repairs.Add($"{where}: value sets after numerical means widened to {{k/w}} (tracr's {{x/w}} misses values, bug B2)");
        }

        var builder = new CraftGraphBuilder(graph, options);
        builder.Build();
        repairs.AddRange(builder.Repairs);
        defects.AddRange(builder.Defects);
        var craft = CraftModel.Build(graph, separateCleanBosUnits: options.FixTracrBugs, tracrDefects: options.FixTracrBugs ? null : defects);
        var model = Assembler.Assemble(graph, craft, options, builder.CompensatedHeads, repairs,
            defects.GroupBy(d => (d.Label, d.Bug)).Select(g => g.First()).ToList());
        return new Compilation(graph, craft, model);
    }

    private static void ValidateOptions(CompilerOptions o)
    {
        if (o.Problem() is { } problem) throw new CompilationException(CompilationErrorKind.InvalidArgument, problem);
    }

    /// <summary>Checks every numerical-input Map's discretisation against the exact value set of its input.</summary>
    private static bool NumericalMlpsExactOnReachableValues(RaspGraph graph, CompilerOptions options, out string? where, out Value? value)
    {
        where = null;
        value = null;
        bool hasNumericalMean = graph.Nodes.Any(n => n.Expr is Aggregate { IsNumerical: true });
        if (!hasNumericalMean) return true;
        var exact = RaspGraph.Extract((SOp)graph.Sink.Expr, separateLabelCollisions: true);
        BasisInference.Infer(exact, options.Vocab, options.MaxSeqLen, exactNumericalMeans: true);
        foreach (var node in graph.Nodes)
        {
            if (node.Expr is not Map { Inner.IsNumerical: true } m) continue;
            var disc = NumericalMlp.Discretise(graph.NodeOf(m.Inner).ValueSet!, m.F, 1e-9);
            double large = Math.Max(options.MlpExactness, NumericalMlp.RequiredExactness(disc, options.MlpExactness));
            // A Map that is affine on these inputs may compile to the exact linear MLP: it must be affine on the real ones too.
            var fit = m.IsNumerical ? NumericalMlp.AffineFit(disc) : null;
            foreach (var x in exact.NodeOf(m.Inner).ValueSet!)
            {
                var want = ArithmeticErrors.Ignoring(() => m.F(x));
                if (want is null || want.IsNone) continue;
                var got = NumericalMlp.Simulate(disc, large, x.AsDouble);
                bool affineWrong = fit is var (a, b) && (!want.IsNumber ||
                    Math.Abs(a * x.AsDouble + b - want.AsDouble) > 1e-9 * Math.Max(1, Math.Abs(want.AsDouble)));
                if (affineWrong || !NumericalMlp.Matches(got, want, m.IsCategorical))
                {
                    where = node.Label;
                    value = x;
                    return false;
                }
            }
        }
        return true;
    }
}
