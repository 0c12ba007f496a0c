using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Values;

namespace TracrInjection.TestSupport;

/// <summary>
/// An independent float32 forward pass of the assembled transformer written from spec §8 with plain arrays,
/// so compiler tests need no TorchSharp and the TorchSharp runtime has something to be compared with.
/// </summary>
public static class ReferenceForward
{
    /// <summary>Residual stream after the embedding and after every sublayer (2 per layer), [T, D] each.</summary>
    public static List<float[,]> Residuals(CompiledModel m, int[] ids)
    {
        int t = ids.Length, d = m.ResidualWidth;
        var x = new float[t, d];
        for (int i = 0; i < t; i++)
        {
            x[i, m.TokenDims[ids[i]]] += 1;
            if (m.OneDim >= 0) x[i, m.OneDim] += 1;
            if (i > 0) x[i, m.IndexDims[i - 1]] += 1;
        }
        var stages = new List<float[,]> { (float[,])x.Clone() };
        float scale = (float)Math.Sqrt(m.Config.KeySize);
        foreach (var layer in m.Layers)
        {
            var add = new float[t, d];
            foreach (var h in layer.Heads)
            {
                int kq = h.KeyDims.Length;
                var q = new float[t, kq];
                for (int i = 0; i < t; i++)
                    for (int c = 0; c < kq; c++)
                    {
                        float s = 0;
                        for (int r = 0; r < h.QueryDims.Length; r++) s += x[i, h.QueryDims[r]] * h.WQk[r, c];
                        q[i, c] = s;
                    }
                var v = new float[t, h.OutputDims.Length];
                for (int i = 0; i < t; i++)
                    for (int c = 0; c < h.OutputDims.Length; c++)
                    {
                        float s = 0;
                        for (int r = 0; r < h.ValueDims.Length; r++) s += x[i, h.ValueDims[r]] * h.WOv[r, c];
                        v[i, c] = s;
                    }
                for (int i = 0; i < t; i++)
                {
                    var logits = new float[t];
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < t; j++)
                    {
                        float s = 0;
                        for (int c = 0; c < kq; c++) s += q[i, c] * x[j, h.KeyDims[c]];
                        s /= scale;
                        if (m.Config.Causal && j > i) s = -1e30f;
                        logits[j] = s;
                        max = Math.Max(max, s);
                    }
                    float sum = 0;
                    for (int j = 0; j < t; j++) { logits[j] = MathF.Exp(logits[j] - max); sum += logits[j]; }
                    for (int c = 0; c < h.OutputDims.Length; c++)
                    {
                        float s = 0;
                        for (int j = 0; j < t; j++) s += logits[j] / sum * v[j, c];
                        add[i, h.OutputDims[c]] += s;
                    }
                }
            }
            Add(x, add);
            stages.Add((float[,])x.Clone());
            if (layer.Mlp is { } mlp)
            {
                var outp = new float[t, d];
                int hid = mlp.W1.GetLength(1);
                for (int i = 0; i < t; i++)
                {
                    // Rows are accumulated in ascending order and zero inputs skipped: adding 0 never changes a
                    // float sum, so this equals the dense product bit for bit and is much faster on sparse residuals.
                    var hdn = new float[hid];
                    for (int r = 0; r < mlp.InputDims.Length; r++)
                    {
                        float xi = x[i, mlp.InputDims[r]];
                        if (xi == 0) continue;
                        for (int c = 0; c < hid; c++) hdn[c] += xi * mlp.W1[r, c];
                    }
                    for (int c = 0; c < hid; c++) hdn[c] = Math.Max(0, hdn[c]);
                    for (int c = 0; c < mlp.OutputDims.Length; c++)
                    {
                        float s = 0;
                        for (int r = 0; r < hid; r++) s += hdn[r] * mlp.W2[r, c];
                        outp[i, mlp.OutputDims[c]] += s;
                    }
                }
                Add(x, outp);
            }
            stages.Add((float[,])x.Clone());
        }
        return stages;
    }

    /// <summary>Decoded output per position, BOS excluded (tracr's unembedding + output encoder).</summary>
    public static Value[] Run(CompiledModel m, IReadOnlyList<Value> tokens) => Decode(m, Residuals(m, m.Encode(tokens))[^1]);

    public static Value[] Decode(CompiledModel m, float[,] x)
    {
        int t = x.GetLength(0);
        var r = new Value[t - 1];
        for (int i = 1; i < t; i++)
        {
            if (!m.CategoricalOutput) { r[i - 1] = Value.Float(x[i, m.OutputDims[0]]); continue; }
            int best = 0;
            for (int k = 1; k < m.OutputDims.Length; k++) if (x[i, m.OutputDims[k]] > x[i, m.OutputDims[best]]) best = k;
            r[i - 1] = m.OutputValues[best];
        }
        return r;
    }

    private static void Add(float[,] x, float[,] y)
    {
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) x[i, j] += y[i, j];
    }
}
