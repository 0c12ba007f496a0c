using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Chamber;

/// <summary>
/// tracr's <c>numerical_mlp</c>: the discretising construction for Maps whose input is numerical (spec §4.6,
/// §4.7), and the exact LinearSequenceMap MLP (§4.9).
/// </summary>
public static class NumericalMlp
{
    /// <summary>Sorted inputs that f maps to a value, their outputs, and the midpoints between neighbours.</summary>
    public sealed record Discretisation(IReadOnlyList<Value> Inputs, IReadOnlyList<Value> Outputs, IReadOnlyList<double> Thresholds);

    /// <param name="mergeTolerance">
    /// Inputs closer than this to the previous kept input are treated as the same number. tracr uses 0; value sets
    /// built from float arithmetic (0.3 − 0.2 vs 0.1) hold near-duplicates whose 1e-17 gap no exactness can
    /// separate, so fix mode merges them.
    /// </param>
    public static Discretisation Discretise(IEnumerable<Value> inputValueSet, Func<Value, Value> f, double mergeTolerance = 0)
    {
        var xs = new List<Value>();
        var ys = new List<Value>();
        foreach (var x in (inputValueSet as ValueSet ?? new ValueSet(inputValueSet)).Sorted())
        {
            if (mergeTolerance > 0 && xs.Count > 0 && x.AsDouble - xs[^1].AsDouble <= mergeTolerance * Math.Max(1, Math.Abs(x.AsDouble))) continue;
            var y = ArithmeticErrors.Ignoring(f, x);
            if (y is null || y.IsNone) continue;
            xs.Add(x);
            ys.Add(y);
        }
        if (xs.Count == 0) throw new CompilationException(CompilationErrorKind.Unsupported, "numerical MLP: the function is undefined on every input value");
        var t = new double[xs.Count - 1];
        for (int k = 1; k < xs.Count; k++) t[k - 1] = (xs[k - 1].AsDouble + xs[k].AsDouble) / 2;
        return new Discretisation(xs, ys, t);
    }

    /// <summary>
    /// Fix mode's float-exact steps for a numerical output (issue 14): each step is ReLU(L(x−t)+1) − ReLU(L(x−t)),
    /// exactly 0 or 1 in real arithmetic, but in float32 each unit rounds L·x − L·t (+1) to the ulp of its size, so
    /// a step away from its threshold is 1 ± ~1e-5 at L = 100 and the output drifts by that times the step's Δy.
    /// With L a power of two (L·x exact) and thresholds on a coarse dyadic grid (L·t exact with few bits), the sum
    /// fits in float32 whenever the unit is active, and every step is exactly 0 or 1 at the inputs. Returns the
    /// new thresholds and L (≥ the given one, and ≥ 4/gap so that each rounded threshold keeps the 1/L margin).
    /// </summary>
    public static (Discretisation Disc, double Large) FloatExact(Discretisation d, double large)
    {
        if (d.Thresholds.Count == 0) return (d, large);
        double minGap = double.PositiveInfinity;
        for (int k = 1; k < d.Inputs.Count; k++) minGap = Math.Min(minGap, d.Inputs[k].AsDouble - d.Inputs[k - 1].AsDouble);
        if (!(minGap > 0) || double.IsInfinity(minGap)) return (d, large);
        double l = Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(large, 4 / minGap))));
        double grid = Math.Pow(2, Math.Floor(Math.Log2(minGap / 8)));
        var t = new double[d.Thresholds.Count];
        for (int k = 0; k < t.Length; k++) t[k] = Math.Round(d.Thresholds[k] / grid) * grid;
        return (d with { Thresholds = t }, l);
    }

    /// <summary>
    /// Smallest gap between neighbouring inputs whose outputs differ: the MLP is exact iff each such gap is ≥ 2/L
    /// (a step between equal outputs adds nothing, however blurred).
    /// </summary>
    public static double MinGap(Discretisation d)
    {
        double gap = double.PositiveInfinity;
        for (int k = 1; k < d.Inputs.Count; k++)
        {
            if (d.Outputs[k].Equals(d.Outputs[k - 1])) continue;
            gap = Math.Min(gap, d.Inputs[k].AsDouble - d.Inputs[k - 1].AsDouble);
        }
        return gap;
    }

    /// <summary>
    /// The L that makes this discretisation exact: <paramref name="large"/> when every gap is already ≥ 2/L, else
    /// 4/gap (twice the minimum, so that float noise at a threshold cannot flip a step). Fix mode raises L to this.
    /// </summary>
    public static double RequiredExactness(Discretisation d, double large)
    {
        double gap = MinGap(d);
        return double.IsInfinity(gap) || gap * large >= 2 ? large : Math.Ceiling(4 / gap);
    }

    /// <summary>
    /// Hidden units in tracr's sorted order: (h,(1,0)), (h,(1,1)), …, (h,(m−1,1)), then h+"start" (h is a prefix of
    /// h+"start", so it sorts last). Built in that order, unit (k, j) has index 2(k−1)+j and start index 2(m−1).
    /// </summary>
    private static (VectorSpace Hidden, Linear First) DiscretisingLayer(
        Discretisation d, BasisDirection inputDir, BasisDirection one, string hiddenName, double large)
    {
        int m = d.Inputs.Count;
        var dirs = new BasisDirection[2 * m - 1];
        int nameHash = BasisDirection.NameHash(hiddenName);
        Value zero = Value.Int(0), unit = Value.Int(1);
        for (int k = 1; k < m; k++)
        {
            var key = Value.Int(k);
            dirs[2 * (k - 1)] = new BasisDirection(hiddenName, nameHash, Value.Tuple(key, zero));
            dirs[2 * (k - 1) + 1] = new BasisDirection(hiddenName, nameHash, Value.Tuple(key, unit));
        }
        dirs[2 * (m - 1)] = new BasisDirection(hiddenName + "start");
        // Sorted by construction: one name with (int, int) tuples in lexicographic order, then the longer name.
        var hidden = VectorSpace.FromSorted(dirs);
        var input = VectorSpace.Join(new VectorSpace(inputDir), new VectorSpace(one));
        int oneRow = input.IndexOf(one), inRow = input.IndexOf(inputDir);
        var w = new SparseMatrix(input.Count, hidden.Count, 4 * m);
        // Columns in increasing order, so every entry is appended without a search.
        for (int k = 1; k < m; k++)
        {
            double t = d.Thresholds[k - 1];
            w[oneRow, 2 * (k - 1)] = -(large * t) + 1;
            w[oneRow, 2 * (k - 1) + 1] = -(large * t);
            w[inRow, 2 * (k - 1)] = large;
            w[inRow, 2 * (k - 1) + 1] = large;
        }
        w[oneRow, 2 * (m - 1)] = 1.0;
        return (hidden, new Linear(input, hidden, w));
    }

    /// <summary>Numerical → numerical Map: output = y_0 + Σ_k step_k (y_k − y_{k−1}).</summary>
    public static Mlp MapNumerical(Discretisation d, BasisDirection inputDir, BasisDirection outputDir, BasisDirection one,
        string hiddenName, double large)
    {
        var (hidden, first) = DiscretisingLayer(d, inputDir, one, hiddenName, large);
        var output = new VectorSpace([outputDir]);
        int m = d.Inputs.Count;
        var w = new SparseMatrix(hidden.Count, 1);
        w[2 * (m - 1), 0] = CategoricalMlp.ToDouble(d.Outputs[0], hidden[2 * (m - 1)]);
        for (int k = 1; k < m; k++)
        {
            double delta = CategoricalMlp.ToDouble(Py.Sub(d.Outputs[k], d.Outputs[k - 1]), hidden[2 * (k - 1)]);
            w[2 * (k - 1), 0] = delta;
            w[2 * (k - 1) + 1, 0] = -delta;
        }
        return new Mlp(first, new Linear(hidden, output, w));
    }

    /// <summary>Numerical → categorical Map: output = onehot(y_0) + Σ_k step_k (onehot(y_k) − onehot(y_{k−1})).</summary>
    public static Mlp MapNumericalToCategorical(Discretisation d, BasisDirection inputDir, VectorSpace output, BasisDirection one,
        string hiddenName, double large)
    {
        if (output.Basis.Any(b => b.Value is null)) throw new CompilationException(CompilationErrorKind.Internal, "categorical output space has a valueless direction");
        string outName = output.Count > 0 ? output[0].Name : "";
        var col = d.Outputs.Select(y => output.IndexOf(new BasisDirection(outName, y))).ToArray();
        for (int i = 0; i < col.Length; i++)
        {
            if (col[i] < 0)
                throw new CompilationException(CompilationErrorKind.Internal, $"output value mismatch: {d.Outputs[i].Repr()} is not in {output}");
        }
        var (hidden, first) = DiscretisingLayer(d, inputDir, one, hiddenName, large);
        int m = d.Inputs.Count;
        var w = new SparseMatrix(hidden.Count, output.Count);
        w[2 * (m - 1), col[0]] = 1.0;
        for (int k = 1; k < m; k++)
        {
            if (col[k] == col[k - 1]) continue;
            w[2 * (k - 1), col[k]] = 1;
            w[2 * (k - 1), col[k - 1]] = -1;
            w[2 * (k - 1) + 1, col[k]] = -1;
            w[2 * (k - 1) + 1, col[k - 1]] = 1;
        }
        return new Mlp(first, new Linear(hidden, output, w));
    }

    /// <summary>
    /// Fix mode (issue 14): the (a, b) with f(x) = a·x + b on every input of the discretisation (within 1e-12
    /// relative, in float64), or null when f is not affine there. Such a Map compiles to <see cref="Affine"/>,
    /// whose float32 error is a rounding of a·x, where the discretising steps' second layer multiplies hidden
    /// activations of size L·x (≈ 100) by each Δy and rounds every product and partial sum at that scale
    /// (≈ L·x·|Δy|·2⁻²⁴ each, 1e-6 to 1e-5 in all; e.g. 2·x of a mean gave 1.5000038 for 1.5).
    /// </summary>
    public static (double A, double B)? AffineFit(Discretisation d)
    {
        if (d.Inputs.Count < 2 || d.Outputs.Any(y => !y.IsNumber)) return null;
        double x0 = d.Inputs[0].AsDouble, y0 = d.Outputs[0].AsDouble;
        double x1 = d.Inputs[^1].AsDouble, y1 = d.Outputs[^1].AsDouble;
        if (!(x1 > x0)) return null;
        double a = (y1 - y0) / (x1 - x0), b = y0 - a * x0;
        if (double.IsNaN(a) || double.IsInfinity(a) || double.IsNaN(b) || double.IsInfinity(b)) return null;
        // Snap to the nearest integer slope/intercept when that fits as well (2·x, x − 1): exact in float32.
        double ra = Math.Round(a), rb = Math.Round(b);
        bool Fits(double aa, double bb)
        {
            for (int k = 0; k < d.Inputs.Count; k++)
            {
                double y = d.Outputs[k].AsDouble;
                if (Math.Abs(aa * d.Inputs[k].AsDouble + bb - y) > 1e-12 * Math.Max(1, Math.Abs(y))) return false;
            }
            return true;
        }
        if (Fits(ra, rb)) return (ra, rb);
        return Fits(a, b) ? (a, b) : null;
    }

    /// <summary>
    /// Numerical → numerical Map that is affine on its inputs: a·(ReLU(x) − ReLU(−x)) + b·ReLU(one), exact up to
    /// the rounding of a·x and one addition (no discretisation, so no L·x-sized activations; see <see cref="AffineFit"/>).
    /// </summary>
    public static Mlp Affine(BasisDirection inputDir, BasisDirection outputDir, BasisDirection one, double a, double b, string hiddenName)
    {
        var xp = new BasisDirection(hiddenName + "x", Value.Int(1));
        var xn = new BasisDirection(hiddenName + "x", Value.Int(-1));
        var c = new BasisDirection(hiddenName + "y", Value.Int(1));
        var dirs = b != 0 ? new[] { xn, xp, c } : new[] { xn, xp };
        var hidden = new VectorSpace(dirs);
        var input = VectorSpace.Join(new VectorSpace(inputDir), new VectorSpace(one));
        var first = Linear.FromAction(input, hidden, dir =>
        {
            var row = new List<(BasisDirection, double)>();
            if (dir.Equals(inputDir)) { row.Add((xp, 1)); row.Add((xn, -1)); }
            if (dir.Equals(one) && b != 0) row.Add((c, 1));
            return row;
        });
        var outSpace = new VectorSpace([outputDir]);
        var second = Linear.FromAction(hidden, outSpace, dir =>
            dir.Equals(c) ? [(outputDir, b)] : [(outputDir, a * dir.Value!.AsLong)]);
        return new Mlp(first, second);
    }

    /// <summary>
    /// LinearSequenceMap: α(ReLU(x) − ReLU(−x)) + β(ReLU(y) − ReLU(−y)) = αx + βy with 4 hidden units. When
    /// both inputs are the same direction tracr's input space holds it twice and the rows add up; one row
    /// carrying the sum is the same map.
    /// </summary>
    public static Mlp LinearSequenceMap(BasisDirection p, BasisDirection q, BasisDirection output, double alpha, double beta, string hiddenName)
    {
        var xp = new BasisDirection(hiddenName + "x", Value.Int(1));
        var xn = new BasisDirection(hiddenName + "x", Value.Int(-1));
        var yp = new BasisDirection(hiddenName + "y", Value.Int(1));
        var yn = new BasisDirection(hiddenName + "y", Value.Int(-1));
        var hidden = new VectorSpace([xp, xn, yp, yn]);
        var input = new VectorSpace([p, q]);
        var first = Linear.FromAction(input, hidden, dir =>
        {
            var row = new List<(BasisDirection, double)>();
            if (dir.Equals(p)) { row.Add((xp, 1)); row.Add((xn, -1)); }
            if (dir.Equals(q)) { row.Add((yp, 1)); row.Add((yn, -1)); }
            return row;
        });
        var outSpace = new VectorSpace([output]);
        var second = Linear.FromAction(hidden, outSpace, dir =>
        {
            double s = dir.Value!.AsLong;
            return [(output, (dir.Name.EndsWith('x') ? alpha : beta) * s)];
        });
        return new Mlp(first, second);
    }

    /// <summary>
    /// What the discretising MLP outputs at input x, computed in float64, as the pair
    /// (numerical output, output value with the largest one-hot weight).
    /// </summary>
    public static Value Simulate(Discretisation d, double large, double x)
    {
        var weights = new Dictionary<Value, double> { [d.Outputs[0]] = 1.0 };
        double numeric = d.Outputs[0].IsNumber ? d.Outputs[0].AsDouble : 0;
        for (int k = 1; k < d.Inputs.Count; k++)
        {
            double a = Math.Max(0, large * x - large * d.Thresholds[k - 1] + 1);
            double b = Math.Max(0, large * x - large * d.Thresholds[k - 1]);
            double step = a - b;
            if (d.Outputs[k].IsNumber && d.Outputs[k - 1].IsNumber) numeric += step * (d.Outputs[k].AsDouble - d.Outputs[k - 1].AsDouble);
            weights[d.Outputs[k]] = weights.GetValueOrDefault(d.Outputs[k]) + step;
            weights[d.Outputs[k - 1]] = weights.GetValueOrDefault(d.Outputs[k - 1]) - step;
        }
        return Value.Tuple(Value.Float(numeric), weights.MaxBy(p => p.Value).Key);
    }

    /// <summary>Whether a simulated output equals the wanted value (tracr's numeric tolerance, or the argmax).</summary>
    public static bool Matches(Value simulated, Value want, bool categorical)
    {
        var numeric = simulated.Items[0].AsDouble;
        var argmax = simulated.Items[1];
        if (categorical) return argmax.Equals(want);
        double w = want.AsDouble;
        return Math.Abs(numeric - w) <= 1e-7 + 0.005 * Math.Abs(w);
    }
}
