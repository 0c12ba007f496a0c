namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// The model's parameters in tracr's padded Haiku layout (spec §6.3): every head padded to key_size, every MLP
/// to mlp_hidden_size, names such as <c>transformer/layer_0/attn/query</c>. For export and for comparing with
/// tracr; the runtime never materialises this.
/// </summary>
public static class TracrLayout
{
    public static Dictionary<string, float[,]> Parameters(CompiledModel m)
    {
        int d = m.ResidualWidth, k = m.Config.KeySize, h = m.Config.NumHeads, hid = m.Config.MlpHiddenSize;
        var p = new Dictionary<string, float[,]>(StringComparer.Ordinal);
        var tok = new float[m.TokenVocabulary.Count, d];
        for (int t = 0; t < m.TokenVocabulary.Count; t++)
        {
            tok[t, m.TokenDims[t]] = 1;
            if (m.OneDim >= 0) tok[t, m.OneDim] = 1;
        }
        p["token_embed"] = tok;
        var pos = new float[m.MaxSeqLen + 1, d];
        for (int i = 0; i < m.MaxSeqLen; i++) pos[i + 1, m.IndexDims[i]] = 1;
        p["pos_embed"] = pos;

        for (int l = 0; l < m.Layers.Count; l++)
        {
            var layer = m.Layers[l];
            string a = $"transformer/layer_{l}/attn/";
            var q = new float[d, h * k];
            var kk = new float[d, h * k];
            var v = new float[d, h * k];
            var o = new float[h * k, d];
            for (int hi = 0; hi < layer.Heads.Count; hi++)
            {
                var head = layer.Heads[hi];
                int c0 = hi * k;
                for (int r = 0; r < head.QueryDims.Length; r++)
                    for (int c = 0; c < head.KeyDims.Length; c++) q[head.QueryDims[r], c0 + c] += head.WQk[r, c];
                for (int c = 0; c < head.KeyDims.Length; c++) kk[head.KeyDims[c], c0 + c] = 1;
                for (int r = 0; r < head.ValueDims.Length; r++)
                    for (int c = 0; c < head.OutputDims.Length; c++) v[head.ValueDims[r], c0 + c] += head.WOv[r, c];
                for (int c = 0; c < head.OutputDims.Length; c++) o[c0 + c, head.OutputDims[c]] = 1;
            }
            p[a + "query"] = q;
            p[a + "key"] = kk;
            p[a + "value"] = v;
            p[a + "linear"] = o;

            string mp = $"transformer/layer_{l}/mlp/";
            var w1 = new float[d, hid];
            var w2 = new float[hid, d];
            if (layer.Mlp is { } mlp)
            {
                var s1 = mlp.SparseW1;
                for (int r = 0; r < mlp.InputDims.Length; r++)
                    for (int i = s1.RowStart[r]; i < s1.RowStart[r + 1]; i++) w1[mlp.InputDims[r], s1.Columns[i]] += s1.Values[i];
                var s2 = mlp.SparseW2;
                for (int r = 0; r < s2.Rows; r++)
                    for (int i = s2.RowStart[r]; i < s2.RowStart[r + 1]; i++) w2[r, mlp.OutputDims[s2.Columns[i]]] += s2.Values[i];
            }
            p[mp + "linear_1"] = w1;
            p[mp + "linear_2"] = w2;
        }
        return p;
    }
}
