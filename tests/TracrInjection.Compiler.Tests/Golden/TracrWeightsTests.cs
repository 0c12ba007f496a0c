using System.Text.Json;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Tests.Golden;

using Rasp = TracrInjection.Rasp.Expressions.Rasp;

/// <summary>
/// tracr-weights-small.jsonl: every parameter of the assembled transformer in tracr's padded Haiku layout, as
/// exact float32 values. Matching them entry for entry means matching tracr's construction, layout and order.
/// </summary>
public class TracrWeightsTests
{
    private static SOp Build(string name)
    {
        using var scope = IdScope.Begin();
        var lib = new Lib();
        return name switch
        {
            "frac_prevs" => lib.MakeFracPrevs(Rasp.Tokens.Eq("l")),
            "length_categorical" => Rasp.Categorical(lib.MakeLength()),
            "map_plus_one" => Rasp.Map(x => Py.Add(x, Value.Int(1)), Rasp.Tokens),
            "seqmap_tokens_plus_indices" => Rasp.SequenceMap((x, y) => Py.Add(x, y), Rasp.Tokens, Rasp.Indices),
            "select_aggregate" => Rasp.Aggregate(Rasp.Select(Rasp.Tokens, Rasp.Tokens, Comparison.EQ), Rasp.Map(_ => Value.Int(1), Rasp.Tokens)),
            "numerical_map_of_frac_prevs" => Rasp.Numerical(Rasp.Map(x => Py.Mul(Value.Int(2), x), lib.MakeFracPrevs(Rasp.Tokens.Eq("x")))),
            "linear_sequence_map" => Rasp.Numerical(new LinearSequenceMap(lib.MakeFracPrevs(Rasp.Tokens.Eq("x")),
                Rasp.Numerical(Rasp.Map(x => Py.Eq(x, Value.Str("y")), Rasp.Tokens)), Value.Int(2), Value.Int(-3))),
            "reverse" => lib.MakeReverse(Rasp.Tokens),
            _ => throw new ArgumentException(name),
        };
    }

    private static IEnumerable<JsonElement> Entries() =>
        File.ReadLines(GoldenFiles.PathOf("tracr-weights-small.jsonl")).Select(l => JsonDocument.Parse(l).RootElement);

    public static TheoryData<string> Names() => new(Entries().Select(e => e.GetProperty("name").GetString()!));

    [Theory, MemberData(nameof(Names))]
    public void EveryParameterMatchesTracr(string name)
    {
        var g = Entries().Single(e => e.GetProperty("name").GetString() == name);
        var model = RaspCompiler.Compile(Build(name), new CompilerOptions
        {
            Vocab = GoldenJson.ToValues(g.GetProperty("vocab")),
            MaxSeqLen = g.GetProperty("max_seq_len").GetInt32(),
            MlpExactness = g.GetProperty("mlp_exactness").GetDouble(),
        });
        Assert.Equal(g.GetProperty("residual_labels").EnumerateArray().Select(e => e.GetString()!), model.ResidualLabels);
        var cfg = g.GetProperty("config");
        Assert.Equal(cfg.GetProperty("key_size").GetInt32(), model.Config.KeySize);
        Assert.Equal(cfg.GetProperty("mlp_hidden_size").GetInt32(), model.Config.MlpHiddenSize);
        Assert.Equal(cfg.GetProperty("num_layers").GetInt32(), model.Config.NumLayers);

        var ours = TracrLayout.Parameters(model);
        foreach (var p in g.GetProperty("params").EnumerateObject())
        {
            string key = p.Name;
            var shape = g.GetProperty("param_shapes").GetProperty(key);
            var w = p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("w", out var ww) ? ww
                : p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("embeddings", out var emb) ? emb : p.Value;
            Assert.True(ours.ContainsKey(key), $"missing parameter {key}");
            var mine = ours[key];
            if (w.ValueKind != JsonValueKind.Array)
            {
                // tracr left it all zero (the golden file omits all-zero matrices).
                foreach (var v in mine) Assert.Equal(0f, v);
                continue;
            }
            var rows = w.EnumerateArray().ToList();
            Assert.Equal(rows.Count, mine.GetLength(0));
            for (int r = 0; r < rows.Count; r++)
            {
                var cols = rows[r].EnumerateArray().ToList();
                Assert.Equal(cols.Count, mine.GetLength(1));
                for (int c = 0; c < cols.Count; c++)
                    Assert.True(Math.Abs(cols[c].GetDouble() - mine[r, c]) <= 1e-6, $"{name} {key}[{r},{c}]: tracr {cols[c].GetDouble()}, ours {mine[r, c]}");
            }
            _ = shape;
        }

        var input = GoldenJson.ToValues(g.GetProperty("input")).Skip(1).ToArray();
        var decoded = GoldenJson.ToValues(g.GetProperty("decoded")).Skip(1).ToArray();
        GoldenConformanceTests.AssertOutputsEqual(decoded, ReferenceForward.Run(model, input), name);
    }
}
