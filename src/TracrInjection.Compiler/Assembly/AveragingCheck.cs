using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// A categorical Aggregate whose selected positions hold different values (issue 14, item 2): RASP's value is
/// their mean, a categorical aggregate can only copy one value, and its output space carries weight on several.
/// <see cref="Position"/> excludes BOS; <see cref="Values"/> and <see cref="Weights"/> are what was averaged.
/// </summary>
/// <param name="Selected">
/// Set for the int-vs-float finding (<see cref="DataflowNode.IntMeanObservable"/>): how many positions selected
/// the one int/bool value in <see cref="Values"/>, whose RASP mean is that value as a float.
/// </param>
public sealed record AveragingFinding(string Expression, int Position, IReadOnlyList<Value> Values, IReadOnlyList<double> Weights, int? Selected = null)
{
    public override string ToString() => Selected is int n
        ? $"{Expression} at position {Position} averages {n} equal values {Values[0].Repr()}: RASP's mean is the float " +
          $"{Value.Float(Values[0].AsDouble).Repr()}, a categorical aggregate copies {Values[0].Repr()}, and a later Map or SequenceMap tells them apart"
        : $"{Expression} at position {Position} averages {string.Join(", ", Values.Zip(Weights, (v, w) => $"{v.Repr()} (weight {w:0.###})"))}: " +
          "a categorical aggregate cannot give RASP's mean";
}

/// <summary>The findings for one sequence, and the positions of every SOp (and of the output) they can reach.</summary>
public sealed class AveragingReport(IReadOnlyList<AveragingFinding> findings, IReadOnlyDictionary<string, bool[]> affected, bool[] output)
{
    public IReadOnlyList<AveragingFinding> Findings { get; } = findings;
    /// <summary>Per SOp label, the positions (BOS excluded) whose value may depend on an averaged one.</summary>
    public IReadOnlyDictionary<string, bool[]> Affected { get; } = affected;
    /// <summary>Output positions (BOS excluded) whose value may depend on an averaged one.</summary>
    public bool[] Output { get; } = output;
    public bool Any => Findings.Count > 0;
}

/// <summary>
/// The run-time check: reads every categorical Aggregate's output space in the final residual (nothing else
/// writes there), reports positions where more than one value carries weight, and propagates "may depend on it"
/// through the program's data flow (<see cref="CompiledModel.Dataflow"/>): position-wise through Maps and
/// queries, to every visible position through keys and aggregated SOps. Conservative: a flagged position may
/// still happen to be right; an unflagged one never depends on an average.
/// </summary>
public static class AveragingCheck
{
    /// <summary>A value carries weight when its component is at least this (leakage is ≤ 1e-4, real weights ≥ 1/N).</summary>
    public static double MinWeight(CompiledModel m) => Math.Max(1e-3, 0.25 / Math.Max(1, m.MaxSeqLen));

    /// <summary>
    /// How many non-BOS keys the head selects for query row <paramref name="q"/>, from its query and key SOps in
    /// the final residual (nothing overwrites them): tracr's scores are c for a selected key, c/2 for BOS and 0
    /// otherwise, so a key is selected when it scores above 1.5 × BOS's score.
    /// </summary>
    public static int SelectedCount(CompiledHead head, float[,] residual, int q, bool causal)
    {
        var w = head.WQk;
        int nq = head.QueryDims.Length, nk = head.KeyDims.Length;
        var qk = new double[nk];
        for (int i = 0; i < nq; i++)
        {
            double xq = residual[q, head.QueryDims[i]];
            if (xq == 0) continue;
            for (int j = 0; j < nk; j++) qk[j] += xq * w[i, j];
        }
        double Score(int k)
        {
            double sc = 0;
            for (int j = 0; j < nk; j++) sc += qk[j] * residual[k, head.KeyDims[j]];
            return sc;
        }
        double bos = Score(0);
        if (!(bos > 0)) return 0;
        int last = causal ? q : residual.GetLength(0) - 1, count = 0;
        for (int k = 1; k <= last; k++) if (Score(k) > 1.5 * bos) count++;
        return count;
    }

    /// <param name="residual">The final residual [T, D] of one sequence, row 0 = BOS.</param>
    public static AveragingReport Check(CompiledModel model, float[,] residual)
    {
        int n = Math.Max(0, residual.GetLength(0) - 1);
        var findings = new List<AveragingFinding>();
        var nodes = model.Dataflow.ToDictionary(d => d.Label, StringComparer.Ordinal);
        var variables = model.Variables.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var averaged = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        double min = MinWeight(model);
        var heads = new Dictionary<string, CompiledHead>(StringComparer.Ordinal);
        foreach (var layer in model.Layers) foreach (var h in layer.Heads) heads.TryAdd(h.Node, h);
        foreach (var node in model.Dataflow)
        {
            if (!node.CategoricalAggregate || !variables.TryGetValue(node.Label, out var v) || v.Numerical) continue;
            var flags = new bool[n];
            for (int p = 0; p < n; p++)
            {
                var vals = new List<Value>();
                var ws = new List<double>();
                for (int k = 0; k < v.Dims.Length; k++)
                {
                    float x = residual[p + 1, v.Dims[k]];
                    if (x >= min)
                    {
                        vals.Add(v.Values[k] ?? Value.None);
                        ws.Add(x);
                    }
                }
                if (vals.Count >= 2)
                {
                    flags[p] = true;
                    findings.Add(new AveragingFinding(node.Label, p, vals, ws));
                }
                else if (vals.Count == 1 && node.IntMeanObservable && vals[0].IsIntegral && heads.TryGetValue(node.Label, out var head) &&
                         SelectedCount(head, residual, p + 1, model.Config.Causal) is var c and >= 2)
                {
                    flags[p] = true;
                    findings.Add(new AveragingFinding(node.Label, p, vals, ws, c));
                }
            }
            averaged[node.Label] = flags;
        }

        var affected = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        bool[] Taint(string label)
        {
            if (affected.TryGetValue(label, out var done)) return done;
            var t = new bool[n];
            affected[label] = t; // the graph is acyclic; this only guards against a malformed folder
            if (!nodes.TryGetValue(label, out var node)) return t;
            if (averaged.TryGetValue(label, out var own)) for (int p = 0; p < n; p++) t[p] |= own[p];
            foreach (var s in node.Same)
            {
                var ts = Taint(s);
                for (int p = 0; p < n; p++) t[p] |= ts[p];
            }
            if (node.Across.Count > 0)
            {
                int first = -1; // the first position where some across-input (keys, aggregated SOp) is affected
                foreach (var a in node.Across)
                {
                    var ta = Taint(a);
                    for (int p = 0; p < n; p++) if (ta[p] && (first < 0 || p < first)) first = p;
                }
                // Causal: position p sees keys 0..p (BOS aside); otherwise every key.
                if (first >= 0) for (int p = 0; p < n; p++) t[p] |= !model.Config.Causal || p >= first;
            }
            return t;
        }
        foreach (var node in model.Dataflow) Taint(node.Label);
        var output = affected.TryGetValue(model.OutputLabel, out var o) ? o : new bool[n];
        return new AveragingReport(findings, affected, output);
    }
}
