using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>The decoded RASP variables of one sequence after one stage (positions BOS excluded).</summary>
public sealed record DecodedStage(string Name, IReadOnlyDictionary<string, Value[]> Variables);

/// <summary>
/// Reads RASP values out of residual vectors. A categorical variable is the value of its largest component (first
/// maximum wins), or None when that component is below 0.5 (nothing written yet, or a None result); a numerical
/// variable is its single component's magnitude (as a Python float). The model output is decoded as tracr's
/// unembedding does: categorical argmax over the output space (no 0.5 threshold in tracr mode; in fix mode below
/// the threshold is None), numerical the value.
/// </summary>
public sealed class ResidualDecoder
{
    /// <summary>Below this, a categorical variable's largest component reads as None.</summary>
    public const float PresenceThreshold = 0.5f;

    public CompiledModel Model { get; }

    public ResidualDecoder(CompiledModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    /// <summary>Every variable of <see cref="CompiledModel.Variables"/> at every position of a [T, D] residual.</summary>
    public IReadOnlyDictionary<string, Value[]> DecodeVariables(float[,] residual, bool excludeBos = true)
    {
        CheckWidth(residual);
        int start = excludeBos ? 1 : 0, t = residual.GetLength(0);
        var result = new Dictionary<string, Value[]>(StringComparer.Ordinal);
        foreach (var v in Model.Variables)
        {
            var values = new Value[Math.Max(0, t - start)];
            for (int i = start; i < t; i++) values[i - start] = DecodeVariable(v, residual, i);
            result[v.Name] = values;
        }
        return result;
    }

    /// <summary>One variable at one position (row) of a [T, D] residual.</summary>
    public static Value DecodeVariable(ResidualVariable variable, float[,] residual, int position)
    {
        if (variable.Dims.Length == 0) return Value.None;
        if (variable.Numerical) return Value.Float(residual[position, variable.Dims[0]]);
        int best = 0;
        for (int k = 1; k < variable.Dims.Length; k++)
            if (residual[position, variable.Dims[k]] > residual[position, variable.Dims[best]]) best = k;
        if (!(residual[position, variable.Dims[best]] >= PresenceThreshold)) return Value.None;
        return variable.Values[best] ?? Value.None;
    }

    /// <summary>The model's output at every position but BOS (tracr's <c>decoded[1:]</c>).</summary>
    public Value[] DecodeOutput(float[,] residual)
    {
        CheckWidth(residual);
        int t = residual.GetLength(0);
        var r = new Value[Math.Max(0, t - 1)];
        for (int i = 1; i < t; i++) r[i - 1] = DecodeOutputAt(residual, i);
        return r;
    }

    public Value DecodeOutputAt(float[,] residual, int position)
    {
        var dims = Model.OutputDims;
        if (dims.Length == 0) return Value.None;
        if (!Model.CategoricalOutput) return Value.Float(residual[position, dims[0]]);
        int best = 0;
        for (int k = 1; k < dims.Length; k++) if (residual[position, dims[k]] > residual[position, dims[best]]) best = k;
        // Fix mode: no value present (RASP's None; the output vector is leakage noise) reads as None, not as the
        // argmax of the noise (bug B9). tracr mode keeps tracr's argmax.
        if (Model.Options.FixTracrBugs && !(residual[position, dims[best]] >= PresenceThreshold)) return Value.None;
        return Model.OutputValues[best];
    }

    /// <summary>Decoded outputs of every sequence of a forward pass (BOS excluded), in batch order.</summary>
    public Value[][] DecodeOutputs(CompiledForward forward)
    {
        var rows = new Value[forward.BatchSize][];
        for (int b = 0; b < rows.Length; b++) rows[b] = DecodeOutput(CompiledForward.ToArray(forward.Output, b));
        return rows;
    }

    /// <summary>Every variable after every captured stage, for one sequence of the batch.</summary>
    public IReadOnlyList<DecodedStage> Trace(CompiledForward forward, int batchIndex = 0, bool excludeBos = true)
    {
        var stages = new List<DecodedStage>();
        for (int s = 0; s < forward.StageNames.Count; s++)
        {
            if (forward.Residuals[s] is null) continue;
            stages.Add(new DecodedStage(forward.StageNames[s], DecodeVariables(forward.Residual(s, batchIndex), excludeBos)));
        }
        return stages;
    }

    private void CheckWidth(float[,] residual)
    {
        if (residual.GetLength(1) != Model.ResidualWidth)
            throw new ArgumentException($"residual has width {residual.GetLength(1)}, the model's is {Model.ResidualWidth}");
    }
}
