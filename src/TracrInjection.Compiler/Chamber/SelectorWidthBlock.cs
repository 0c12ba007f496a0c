using TracrInjection.Compiler.Craft;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Chamber;

/// <summary>
/// tracr's <c>selector_width</c> (spec §4.11): an always-attend-to-BOS head writes 1/(w+1) into a scratch
/// direction, a discretising MLP decodes w = round(1/x − 1), and a BOS clean-up unit undoes what both wrote at BOS.
/// </summary>
public static class SelectorWidthBlock
{
    public static SeriesWithResiduals Build(VectorSpace querySpace, VectorSpace keySpace, VectorSpace outputSpace,
        BasisDirection bos, BasisDirection one, Func<BasisDirection, BasisDirection, double> attnFn,
        IReadOnlyCollection<Value> outValueSet, bool categoricalOutput, double large, string label,
        string cleanBosHiddenName = "_hidden_clean_bos_", bool floatExactSteps = false)
    {
        var attnOut = new BasisDirection($"{label}_selector_width_attn_output");
        var attnOutSpace = new VectorSpace([attnOut]);
        var attn = CategoricalAttention.Build(querySpace, keySpace, new VectorSpace([bos]), attnOutSpace, bos, one, attnFn,
            alwaysAttendToBos: true, useBosForDefaultOutput: false);
        attn = new AttentionHead(attn.WQk, attn.WOv) { Op = "SelectorWidth" };

        Value Fun(Value x) => Py.Round(Py.Sub(Py.Div(Value.Int(1), x), Value.Int(1)));
        var inValues = outValueSet.Select(w => Py.Div(Value.Int(1), Py.Add(w, Value.Int(1)))).ToList();
        var disc = NumericalMlp.Discretise(inValues, Fun);
        if (floatExactSteps) (disc, large) = NumericalMlp.FloatExact(disc, large);
        string hiddenName = $"_hidden_{label}_";
        var decode = categoricalOutput
            ? NumericalMlp.MapNumericalToCategorical(disc, attnOut, outputSpace, one, hiddenName, large)
            : NumericalMlp.MapNumerical(disc, attnOut, outputSpace[0], one, hiddenName, large);

        var cleanOut = VectorSpace.Join(attnOutSpace, outputSpace);
        var subtract = new List<(BasisDirection, double)> { (attnOut, -1.0) };
        if (categoricalOutput)
        {
            var zero = outputSpace.Basis.First(d => d.Value is not null && d.Value.Equals(Value.Int(0)));
            subtract.Add((zero, -1.0));
        }
        var cleanHidden = new BasisDirection(cleanBosHiddenName);
        var cleanHiddenSpace = new VectorSpace([cleanHidden]);
        var clean = new Mlp(
            Linear.FromAction(new VectorSpace([bos]), cleanHiddenSpace, _ => [(cleanHidden, 1.0)]),
            Linear.FromAction(cleanHiddenSpace, cleanOut, _ => subtract));
        var mlp = Mlp.CombineInParallel([decode, clean]);
        mlp.Parts.Clear();
        return new SeriesWithResiduals(attn, mlp);
    }
}
