using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Chamber;
using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Graph;

/// <summary>tracr's <c>expr_to_craft_graph</c> (spec §4.3): picks and builds the block for every SOp node.</summary>
public sealed class CraftGraphBuilder(RaspGraph graph, CompilerOptions options)
{
    public BasisDirection Bos { get; } = new("tokens", Value.Str(options.CompilerBos));
    public BasisDirection One { get; } = new("one");

    /// <summary>Labels of SelectorWidth heads whose scores must be rescaled by √key_size at assembly (fix mode).</summary>
    public HashSet<string> CompensatedHeads { get; } = new(StringComparer.Ordinal);

    /// <summary>Notes on what fix mode changed, for the user.</summary>
    public List<string> Repairs { get; } = [];

    /// <summary>Tracr mode: where the model will disagree with RASP, found by the checks behind <see cref="Repairs"/> (issue 11).</summary>
    public List<TracrDefect> Defects { get; } = [];

    public void Build()
    {
        foreach (var node in graph.Nodes)
        {
            if (node.Expr is not SOp sop) continue;
            try
            {
                node.Block = BuildBlock(node, sop);
            }
            catch (CompilationException) { throw; }
            catch (Exception e) when (e is PyTypeError or PyValueError or PyArithmeticError)
            {
                throw new CompilationException(CompilationErrorKind.Unsupported,
                    $"{node.Label}: evaluating its function on the inferred value set failed while building its block: {e.Message}", node.Label, e);
            }
            if (node.Block is not null) node.Block.Nodes.Add(node.Label);
        }
    }

    /// <summary>Fix mode merges float near-duplicates in discretised value sets (see <see cref="NumericalMlp.Discretise"/>).</summary>
    internal double MergeTolerance => options.FixTracrBugs ? 1e-9 : 0;

    private VectorSpace Space(SOp s) => graph.NodeOf(s).OutputSpace!;
    private ValueSet Values(SOp s) => graph.NodeOf(s).ValueSet!;
    private VectorSpace OneSpace => new([One]);

    private CraftBlock? BuildBlock(GraphNode node, SOp expr)
    {
        string label = node.Label;
        var output = node.OutputSpace!;
        switch (expr)
        {
            case TokensType or IndicesType: return null;
            case Map m:
            {
                var inner = m.Inner;
                if (inner.IsCategorical && expr.IsCategorical) return CategoricalMlp.MapCategorical(Space(inner), output, m.F);
                if (inner.IsCategorical && expr.IsNumerical)
                {
                    var mlp = CategoricalMlp.MapCategoricalToNumerical(Space(inner), output, m.F, keepNegatives: options.FixTracrBugs);
                    if (mlp.Hidden.Count == 2) Repairs.Add($"{label}: negative outputs kept with a second hidden unit (tracr clips them to 0, bug B3)");
                    if (!options.FixTracrBugs) NoteClippedNegatives(label, Space(inner), m.F);
                    return mlp;
                }
                var disc = NumericalMlp.Discretise(Values(inner), m.F, MergeTolerance);
                string hidden = $"_hidden_{label}_";
                Mlp? affine = null;
                double large = options.MlpExactness;
                if (options.FixTracrBugs && expr.IsNumerical && ReachesNumerical(node) && NumericalMlp.AffineFit(disc) is var (a, b))
                {
                    affine = NumericalMlp.Affine(Space(inner)[0], output[0], One, a, b, hidden);
                    Repairs.Add($"{label}: affine on its inputs ({a:G6}·x + {b:G6}), compiled as an exact linear MLP (tracr's discretising steps round at L·x scale and drift by ~1e-6..1e-5)");
                }
                else large = Exactness(label, disc, expr.IsCategorical);
                if (affine is null && options.FixTracrBugs && ReachesNumerical(node))
                {
                    var (exact, l) = NumericalMlp.FloatExact(disc, large);
                    if (!ReferenceEquals(exact, disc))
                    {
                        Repairs.Add($"{label}: discretising MLP thresholds on a dyadic grid and exactness {l:G4} (a power of two), so each float32 step is exactly 0 or 1 (tracr's output drifts by ~1e-5)");
                        (disc, large) = (exact, l);
                    }
                }
                var numericalMlp = affine ?? (expr.IsCategorical
                    ? NumericalMlp.MapNumericalToCategorical(disc, Space(inner)[0], output, One, hidden, large)
                    : NumericalMlp.MapNumerical(disc, Space(inner)[0], output[0], One, hidden, large));
                if (options.FixTracrBugs && ReadAtBos(node))
                {
                    // Bug B15: f(0) written at BOS would reach a selector's keys or an aggregate's BOS default (see BosGate).
                    double bound = Values(inner).Where(v => v.IsNumber).Select(v => Math.Abs(v.AsDouble)).DefaultIfEmpty(0).Max();
                    numericalMlp = BosGate.Apply(numericalMlp, Bos, One, bound);
                    Repairs.Add($"{label}: discretising MLP switched off at BOS (tracr writes f(0) there, which a later selector reads as a key, bug B15)");
                }
                return numericalMlp;
            }
            case LinearSequenceMap l:
                if (!(l.Fst.IsNumerical && l.Snd.IsNumerical && l.IsNumerical))
                    throw Unsupported(label, "Linear SequenceMap only supports numerical inputs/outputs.");
                return NumericalMlp.LinearSequenceMap(Space(l.Fst)[0], Space(l.Snd)[0], output[0],
                    l.FstFac.AsDouble, l.SndFac.AsDouble, $"_hidden_{label}_");
            case SequenceMap s:
                if (!(s.Fst.IsCategorical && s.Snd.IsCategorical && s.IsCategorical))
                    throw Unsupported(label, "(Non-linear) SequenceMap only supports categorical inputs/outputs.");
                if (graph.LabelOf(s.Fst) == graph.LabelOf(s.Snd))
                    return CategoricalMlp.MapCategorical(Space(s.Fst), output, x => s.F(x, x));
                return CategoricalMlp.SequenceMapCategorical(Space(s.Fst), Space(s.Snd), output, OneSpace, s.F, $"_hidden_{label}_");
            case Aggregate a:
            {
                if (a.Selector is not Select sel)
                    throw Unsupported(label, $"Compiling composite Selectors is not supported. Got a {a.Selector.GetType().Name}.", CompilationErrorKind.Unsupported);
                if (!sel.Keys.IsCategorical || !sel.Queries.IsCategorical) throw Unsupported(label, "Selector keys and queries must be categorical.");
                if (a.Sop.Encoding != a.Encoding)
                    throw Unsupported(label, "An aggregate's output encoding must match its input encoding.");
                if (a.IsCategorical && !a.Default.IsNone) throw Unsupported(label, "Categorical aggregate only supports None as default value.");
                if (a.IsNumerical && !(a.Default.IsNumber && a.Default.AsDouble == 0)) throw Unsupported(label, "Numerical aggregate only supports 0 as default value.");
                var head = CategoricalAttention.Build(Space(sel.Queries), Space(sel.Keys), Space(a.Sop), output, Bos, One, AttnFn(sel));
                return head;
            }
            case SelectorWidth w:
            {
                if (w.Selector is not Select sel)
                    throw Unsupported(label, $"Compiling composite Selectors is not supported. Got a {w.Selector.GetType().Name}.");
                if (!sel.Keys.IsCategorical || !sel.Queries.IsCategorical) throw Unsupported(label, "Selector keys and queries must be categorical.");
                var outValues = node.ValueSet!.ToList();
                double large = options.MlpExactness;
                if (options.FixTracrBugs)
                {
                    var inValues = outValues.Select(v => Py.Div(Value.Int(1), Py.Add(v, Value.Int(1))));
                    var disc = NumericalMlp.Discretise(inValues, x => Py.Round(Py.Sub(Py.Div(Value.Int(1), x), Value.Int(1))), MergeTolerance);
                    double needed = RequiredExactness(disc);
                    if (needed > large)
                    {
                        Repairs.Add($"{label}: SelectorWidth decoder exactness raised from {large} to {needed:G4} and its attention scores rescaled by √key_size (tracr miscounts here, bug B4/B5)");
                        large = needed;
                        CompensatedHeads.Add(label);
                    }
                }
                else NoteSelectorWidthMiscount(label, outValues, large);
                return SelectorWidthBlock.Build(Space(sel.Queries), Space(sel.Keys), output, Bos, One, AttnFn(sel),
                    outValues, expr.IsCategorical, large, label, floatExactSteps: options.FixTracrBugs && ReachesNumerical(node));
            }
            default:
                throw Unsupported(label, $"Expression {label} ({expr.GetType().Name}) cannot be translated to a model component.");
        }
    }

    /// <summary>
    /// Whether the program's output is numerical and this node reaches it (its float errors can then reach the
    /// output; a categorical output, or a numerical → categorical step on the way, re-discretises them).
    /// </summary>
    private bool ReachesNumerical(GraphNode start) =>
        graph.Sink.Expr is SOp { IsNumerical: true } && Reaches(start, n => ReferenceEquals(n, graph.Sink));

    /// <summary>
    /// Whether an attention head reads this node's value at BOS, directly or through later nodes: a Select's keys
    /// (BOS's score), or the values of a numerical mean whose selection can be empty (BOS carries the default 0 an
    /// empty selection falls back to; a TRUE comparison, or a reflexive one of a SOp with itself, always selects the
    /// query's own position, so BOS there only takes e^(−50/√K)). A categorical Aggregate's empty selection is
    /// RASP's None, which nothing downstream turns into a value.
    /// </summary>
    private bool ReadAtBos(GraphNode start) =>
        Reaches(start, n => n.Expr is Selector || (n.Expr is Aggregate { IsNumerical: true } a && MayBeEmpty(a.Selector)));

    private bool MayBeEmpty(Selector s) => s is not Select sel || !(sel.Comparison == Comparison.TRUE ||
        (graph.LabelOf(sel.Keys) == graph.LabelOf(sel.Queries) && sel.Comparison is Comparison.EQ or Comparison.LEQ or Comparison.GEQ));

    private bool Reaches(GraphNode start, Func<GraphNode, bool> target)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<GraphNode>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n.Label)) continue;
            if (target(n)) return true;
            foreach (var s in n.Successors) stack.Push(graph[s]);
        }
        return false;
    }

    /// <summary>
    /// The discretising MLP needs every input gap ≥ 2/L; fix mode raises L (with headroom) where it is not, tracr mode
    /// notes the smallest input value that the MLP maps wrongly (bug B4).
    /// </summary>
    private double Exactness(string label, NumericalMlp.Discretisation disc, bool categorical)
    {
        double large = options.MlpExactness;
        double needed = RequiredExactness(disc);
        if (needed <= large) return large;
        if (!options.FixTracrBugs)
        {
            for (int k = 0; k < disc.Inputs.Count; k++)
            {
                if (NumericalMlp.Matches(NumericalMlp.Simulate(disc, large, disc.Inputs[k].AsDouble), disc.Outputs[k], categorical)) continue;
                Defects.Add(new TracrDefect(label, "B4",
                    $"discretising MLP too coarse: input values {NumericalMlp.MinGap(disc):G4} apart, but exactness {large} separates only values ≥ {2 / large:G4} apart; " +
                    $"wrong from input value {disc.Inputs[k].Repr()} (RASP gives {disc.Outputs[k].Repr()})"));
                break;
            }
            return large;
        }
        Repairs.Add($"{label}: discretising MLP exactness raised from {large} to {needed:G4} (input values {NumericalMlp.MinGap(disc):G4} apart, bug B4)");
        return needed;
    }

    /// <summary>Tracr mode, bug B3: a categorical → numerical Map with negative outputs compiles them to 0.</summary>
    private void NoteClippedNegatives(string label, VectorSpace input, Func<Value, Value> f)
    {
        foreach (var d in input.Basis)
        {
            var y = ArithmeticErrors.Ignoring(f, d.Value!);
            if (y is null || !y.IsNumber || y.AsDouble >= 0) continue;
            Defects.Add(new TracrDefect(label, "B3", $"categorical → numerical Map clips negative outputs to 0: wrong at input value {d.Value!.Repr()} (RASP gives {y.Repr()})"));
            return;
        }
    }

    /// <summary>
    /// Tracr mode, bugs B4/B5: the SelectorWidth decoder reads 1/(w+1) with tracr's exactness; where neighbouring
    /// widths are closer than 2/L it miscounts. Notes the smallest width the decoder gets wrong (else the first width
    /// past a too-small gap), which needs an input of at least that many tokens.
    /// </summary>
    private void NoteSelectorWidthMiscount(string label, List<Value> outValues, double large)
    {
        var inValues = outValues.Select(v => Py.Div(Value.Int(1), Py.Add(v, Value.Int(1))));
        var disc = NumericalMlp.Discretise(inValues, x => Py.Round(Py.Sub(Py.Div(Value.Int(1), x), Value.Int(1))), 0);
        if (RequiredExactness(disc) <= large) return;
        var widths = outValues.Where(v => v.IsNumber).OrderBy(v => v.AsDouble).ToList();
        Value? bites = null;
        foreach (var w in widths)
        {
            double x = Py.Div(Value.Int(1), Py.Add(w, Value.Int(1))).AsDouble;
            if (!NumericalMlp.Matches(NumericalMlp.Simulate(disc, large, x), w, categorical: true)) { bites = w; break; }
        }
        bites ??= widths.Skip(1).FirstOrDefault(w => 1 / (w.AsDouble * (w.AsDouble + 1)) * large < 2) ?? widths[^1];
        Defects.Add(new TracrDefect(label, "B4/B5",
            $"SelectorWidth miscounts: its decoder's exactness {large} cannot separate neighbouring widths: wrong from width {bites.Repr()} " +
            $"(an input of {bites.Repr()} or more tokens)"));
    }

    private double RequiredExactness(NumericalMlp.Discretisation disc) => NumericalMlp.RequiredExactness(disc, options.MlpExactness);

    private static Func<BasisDirection, BasisDirection, double> AttnFn(Select sel) =>
        (q, k) => CategoricalAttention.Score(sel.Predicate(k.Value!, q.Value!));

    private static CompilationException Unsupported(string label, string reason, CompilationErrorKind kind = CompilationErrorKind.Unsupported) =>
        new(kind, $"{label}: {reason}", label);
}
