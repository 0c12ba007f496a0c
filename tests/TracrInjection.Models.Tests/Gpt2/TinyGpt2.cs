using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace TracrInjection.Models.Tests.Gpt2;

/// <summary>
/// A tiny random GPT-2 held as plain float arrays in HF layout, written to disk by hand (not with
/// the code under test) and evaluated by a plain double-precision forward pass.
/// </summary>
public sealed class TinyGpt2
{
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 2;
    public int Embd { get; init; } = 8;
    public int Positions { get; init; } = 16;
    public int Vocab { get; init; } = 23;
    public double Eps { get; init; } = 1e-5;

    /// <summary>HF tensor name (without "transformer.") → (shape, values).</summary>
    public Dictionary<string, (long[] Shape, float[] Data)> Tensors { get; } = new();

    public static TinyGpt2 Random(int seed, int layers = 2, int heads = 2, int embd = 8, int positions = 16, int vocab = 23)
    {
        var m = new TinyGpt2 { Layers = layers, Heads = heads, Embd = embd, Positions = positions, Vocab = vocab };
        var rng = new Random(seed);
        float N(double std) => (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        void Add(string name, long[] shape, double std, double mean = 0)
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)mean + N(std);
            m.Tensors[name] = (shape, data);
        }
        int c = embd;
        Add("wte.weight", new long[] { vocab, c }, 0.5);
        Add("wpe.weight", new long[] { positions, c }, 0.3);
        for (int l = 0; l < layers; l++)
        {
            string p = $"h.{l}.";
            Add(p + "ln_1.weight", new long[] { c }, 0.2, 1);
            Add(p + "ln_1.bias", new long[] { c }, 0.1);
            Add(p + "attn.c_attn.weight", new long[] { c, 3 * c }, 0.4);
            Add(p + "attn.c_attn.bias", new long[] { 3 * c }, 0.1);
            Add(p + "attn.c_proj.weight", new long[] { c, c }, 0.3);
            Add(p + "attn.c_proj.bias", new long[] { c }, 0.1);
            Add(p + "ln_2.weight", new long[] { c }, 0.2, 1);
            Add(p + "ln_2.bias", new long[] { c }, 0.1);
            Add(p + "mlp.c_fc.weight", new long[] { c, 4 * c }, 0.4);
            Add(p + "mlp.c_fc.bias", new long[] { 4 * c }, 0.1);
            Add(p + "mlp.c_proj.weight", new long[] { 4 * c, c }, 0.3);
            Add(p + "mlp.c_proj.bias", new long[] { c }, 0.1);
        }
        Add("ln_f.weight", new long[] { c }, 0.2, 1);
        Add("ln_f.bias", new long[] { c }, 0.1);
        return m;
    }

    public string ConfigJson() => $$"""
        {
          "activation_function": "gelu_new",
          "architectures": ["GPT2LMHeadModel"],
          "attn_pdrop": 0.1,
          "bos_token_id": 0,
          "embd_pdrop": 0.1,
          "eos_token_id": 0,
          "initializer_range": 0.02,
          "layer_norm_epsilon": {{Eps.ToString("R", CultureInfo.InvariantCulture)}},
          "model_type": "gpt2",
          "n_ctx": {{Positions}},
          "n_embd": {{Embd}},
          "n_head": {{Heads}},
          "n_inner": null,
          "n_layer": {{Layers}},
          "n_positions": {{Positions}},
          "resid_pdrop": 0.1,
          "summary_type": "cls_index",
          "vocab_size": {{Vocab}}
        }
        """;

    /// <summary>Writes config.json and model.safetensors; extra tensors (e.g. attn.bias buffers) may be added.</summary>
    public void WriteCheckpoint(string dir, string prefix = "transformer.", bool withLmHead = false,
        bool withMaskBuffers = false, Func<string, string?>? rename = null)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson());
        var entries = new List<(string Name, string DType, long[] Shape, byte[] Bytes)>();
        foreach (var (name, (shape, data)) in Tensors)
        {
            string full = rename is null ? prefix + name : rename(prefix + name) ?? "";
            if (full.Length == 0) continue;
            entries.Add((full, "F32", shape, F32Bytes(data)));
        }
        if (withLmHead)
            entries.Add(("lm_head.weight", "F32", Tensors["wte.weight"].Shape, F32Bytes(Tensors["wte.weight"].Data)));
        if (withMaskBuffers)
            for (int l = 0; l < Layers; l++)
            {
                var mask = new byte[Positions * Positions];
                entries.Add(($"{prefix}h.{l}.attn.bias", "U8", new long[] { 1, 1, Positions, Positions }, mask));
                entries.Add(($"{prefix}h.{l}.attn.masked_bias", "F32", Array.Empty<long>(), F32Bytes(new[] { -1e4f })));
            }
        WriteSafeTensors(Path.Combine(dir, "model.safetensors"), entries);
    }

    public static byte[] F32Bytes(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return bytes;
    }

    public static void WriteSafeTensors(string path, IEnumerable<(string Name, string DType, long[] Shape, byte[] Bytes)> entries)
    {
        var sb = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        var list = entries.ToList();
        foreach (var e in list)
        {
            sb.Append($",\"{e.Name}\":{{\"dtype\":\"{e.DType}\",\"shape\":[{string.Join(",", e.Shape)}],\"data_offsets\":[{offset},{offset + e.Bytes.Length}]}}");
            offset += e.Bytes.Length;
        }
        sb.Append('}');
        var header = Encoding.UTF8.GetBytes(sb.ToString());
        using var f = File.Create(path);
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        f.Write(len);
        f.Write(header);
        foreach (var e in list) f.Write(e.Bytes);
    }

    float W(string name, int i) => Tensors[name].Data[i];

    /// <summary>
    /// Plain forward pass for one sequence: returns (hidden states: embeddings + after each block,
    /// logits [T][V]). <paramref name="replace"/> may overwrite the state after a block, like a hook.
    /// </summary>
    public (double[][][] Hidden, double[][] Logits) Reference(int[] ids, Action<int, double[][]>? replace = null)
    {
        int T = ids.Length, C = Embd, H = Heads, D = C / H;
        var x = new double[T][];
        for (int t = 0; t < T; t++)
        {
            x[t] = new double[C];
            for (int c = 0; c < C; c++) x[t][c] = W("wte.weight", ids[t] * C + c) + (double)W("wpe.weight", t * C + c);
        }
        var hidden = new List<double[][]> { Copy(x) };
        for (int l = 0; l < Layers; l++)
        {
            string p = $"h.{l}.";
            var a = x.Select(r => LayerNorm(r, p + "ln_1")).ToArray();
            var qkv = a.Select(r => Linear(r, p + "attn.c_attn", C, 3 * C)).ToArray();
            var attnOut = new double[T][];
            for (int t = 0; t < T; t++)
            {
                attnOut[t] = new double[C];
                for (int hd = 0; hd < H; hd++)
                {
                    var scores = new double[t + 1];
                    for (int s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (int d = 0; d < D; d++) dot += qkv[t][hd * D + d] * qkv[s][C + hd * D + d];
                        scores[s] = dot / Math.Sqrt(D);
                    }
                    double max = scores.Max(), sum = 0;
                    for (int s = 0; s <= t; s++) { scores[s] = Math.Exp(scores[s] - max); sum += scores[s]; }
                    for (int s = 0; s <= t; s++)
                        for (int d = 0; d < D; d++) attnOut[t][hd * D + d] += scores[s] / sum * qkv[s][2 * C + hd * D + d];
                }
            }
            for (int t = 0; t < T; t++)
            {
                var proj = Linear(attnOut[t], p + "attn.c_proj", C, C);
                for (int c = 0; c < C; c++) x[t][c] += proj[c];
            }
            for (int t = 0; t < T; t++)
            {
                var m = LayerNorm(x[t], p + "ln_2");
                var f = Linear(m, p + "mlp.c_fc", C, 4 * C).Select(Gelu).ToArray();
                var o = Linear(f, p + "mlp.c_proj", 4 * C, C);
                for (int c = 0; c < C; c++) x[t][c] += o[c];
            }
            replace?.Invoke(l, x);
            hidden.Add(Copy(x));
        }
        var logits = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var f = LayerNorm(x[t], "ln_f");
            logits[t] = new double[Vocab];
            for (int v = 0; v < Vocab; v++)
            {
                double dot = 0;
                for (int c = 0; c < C; c++) dot += f[c] * W("wte.weight", v * C + c);
                logits[t][v] = dot;
            }
        }
        return (hidden.ToArray(), logits);
    }

    static double[][] Copy(double[][] x) => x.Select(r => (double[])r.Clone()).ToArray();

    double[] LayerNorm(double[] x, string name)
    {
        double mean = x.Average();
        double var = x.Select(v => (v - mean) * (v - mean)).Average();
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = (x[i] - mean) / Math.Sqrt(var + Eps) * W(name + ".weight", i) + W(name + ".bias", i);
        return y;
    }

    // Conv1D: weight [in, out], y = x W + b.
    double[] Linear(double[] x, string name, int nIn, int nOut)
    {
        var y = new double[nOut];
        for (int o = 0; o < nOut; o++)
        {
            double acc = W(name + ".bias", o);
            for (int i = 0; i < nIn; i++) acc += x[i] * W(name + ".weight", i * nOut + o);
            y[o] = acc;
        }
        return y;
    }

    static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
