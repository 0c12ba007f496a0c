using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Models.Tests.CompiledRuntime;

public class CompiledTransformerTests
{
    public static TheoryData<string> SmallPrograms() => new(GoldenModels.Small);

    /// <summary>Every golden program but the paper's (PaperProgramTests has those).</summary>
    public static TheoryData<string> GoldenPrograms() =>
        new(GoldenFiles.ProgramIds().Where(id => !id.StartsWith("paper_", StringComparison.Ordinal)));

    /// <summary>Every golden input, batched by length, decodes to tracr's golden model output.</summary>
    [Theory, MemberData(nameof(GoldenPrograms))]
    public void OutputsMatchTracrGolden(string id)
    {
        var model = GoldenModels.Compile(id);
        using var runtime = new CompiledTransformer(model);
        var decoder = new ResidualDecoder(model);
        var cases = GoldenModels.Inputs(id).ToList();
        foreach (var group in cases.GroupBy(c => c.Input.Length))
        {
            var batch = group.ToList();
            using var f = runtime.Run(batch.Select(c => (IReadOnlyList<Value>)c.Input).ToList(), captureStages: false);
            var outputs = decoder.DecodeOutputs(f);
            for (int b = 0; b < batch.Count; b++)
                GoldenModels.AssertOutputsEqual(batch[b].Model, outputs[b], $"{id} on {GoldenModels.Show(batch[b].Input)}");
        }
    }

    /// <summary>The residual after the embedding and after every sublayer equals the plain-array reference to 1e-5.</summary>
    [Theory, MemberData(nameof(SmallPrograms))]
    public void StagesMatchReferenceForward(string id)
    {
        var model = GoldenModels.Compile(id);
        using var runtime = new CompiledTransformer(model);
        Assert.Equal(2 * model.Config.NumLayers + 1, runtime.StageNames.Count);
        foreach (var (input, _) in GoldenModels.Inputs(id).Take(8))
        {
            var ids = model.Encode(input);
            var expected = ReferenceForward.Residuals(model, ids);
            using var f = runtime.Forward([ids]);
            Assert.Equal(expected.Count, f.Residuals.Count);
            for (int s = 0; s < expected.Count; s++)
                AssertClose(expected[s], f.Residual(s), 1e-5, $"{id} {GoldenModels.Show(input)} stage {f.StageNames[s]}");
        }
    }

    [Fact]
    public void StageNamesFollowTracrModuleNames()
    {
        var model = GoldenModels.Compile("frac_prevs_1");
        using var runtime = new CompiledTransformer(model);
        Assert.Equal(["embed", "layer_0/attn", "layer_0/mlp", "layer_1/attn", "layer_1/mlp"], runtime.StageNames);
    }

    [Theory]
    [InlineData("reverse")]
    [InlineData("sort_tokens")]
    [InlineData("frac_prevs_1_causal")]
    [InlineData("detect_pattern_abc_causal")]
    public void BatchedEqualsUnbatched(string id)
    {
        var model = GoldenModels.Compile(id);
        using var runtime = new CompiledTransformer(model);
        var decoder = new ResidualDecoder(model);
        var rows = GoldenModels.Inputs(id).GroupBy(c => c.Input.Length).OrderByDescending(g => g.Count()).First().Select(c => c.Input).ToList();
        Assert.True(rows.Count >= 2);
        using var batched = runtime.Run(rows.Cast<IReadOnlyList<Value>>().ToList());
        for (int b = 0; b < rows.Count; b++)
        {
            using var single = runtime.Run([rows[b]]);
            for (int s = 0; s < single.Residuals.Count; s++)
                AssertClose(single.Residual(s), batched.Residual(s, b), 1e-6, $"{id} row {b} stage {s}");
            Assert.Equal(decoder.DecodeOutputs(single)[0], decoder.DecodeOutputs(batched)[b]);
        }
    }

    [Fact]
    public void PaddedInputsKeepTheRealPositions()
    {
        var model = GoldenModels.Compile("reverse");
        using var runtime = new CompiledTransformer(model);
        var decoder = new ResidualDecoder(model);
        var pad = Value.Str(model.Options.CompilerPad);
        foreach (var e in GoldenModels.Golden("reverse").GetProperty("padded_inputs").EnumerateArray())
        {
            var input = GoldenJson.ToValues(e.GetProperty("input"));
            var ids = model.Encode(input).ToList();
            while (ids.Count < model.MaxSeqLen + 1) ids.Add(model.PadId);
            using var f = runtime.Forward([ids.ToArray()]);
            var got = decoder.DecodeOutput(f.Residual(f.Residuals.Count - 1));
            var expected = GoldenJson.ToValues(e.GetProperty("model_padded"));
            GoldenModels.AssertOutputsEqual(expected.Take(input.Length).ToArray(), got.Take(input.Length).ToArray(), "reverse padded");
        }
    }

    [Fact]
    public void DecoderReadsTokensIndicesAndOutputVariable()
    {
        var model = GoldenModels.Compile("sort_unique_rev_indices");
        using var runtime = new CompiledTransformer(model);
        var decoder = new ResidualDecoder(model);
        var input = new Value[] { "a", "c", "d", "b" };
        using var f = runtime.Run([input]);
        var trace = decoder.Trace(f);
        Assert.Equal(runtime.StageNames, trace.Select(t => t.Name));
        var embed = trace[0].Variables;
        Assert.Equal(input, embed["tokens"]);
        Assert.Equal(new Value[] { 0, 1, 2, 3 }, embed["indices"]);
        Assert.All(embed[model.OutputLabel], v => Assert.True(v.IsNone));
        var last = trace[^1].Variables[model.OutputLabel];
        Assert.Equal(new Value[] { "b", "d", "c", "a" }, last);
        Assert.Equal(last, decoder.DecodeOutputs(f)[0]);
    }

    [Fact]
    public void RejectsBadIdsAndLengths()
    {
        var model = GoldenModels.Compile("hist");
        using var runtime = new CompiledTransformer(model);
        Assert.Throws<ArgumentException>(() => runtime.Forward([new[] { model.BosId, 99 }]));
        Assert.Throws<ArgumentException>(() => runtime.Forward([new int[model.MaxSeqLen + 2]]));
        Assert.Throws<ArgumentException>(() => runtime.Forward([new[] { model.BosId, 0 }, new[] { model.BosId }]));
        var e = Assert.Throws<ArgumentException>(() => model.Encode([(Value)"a", "x"]));
        Assert.Contains("'x' at position 1", e.Message);
    }

    [Fact]
    public void CompressedWithFullWidthEqualsPlainModel()
    {
        var spec = ProgramRegistry.Get("sort_unique_tokens");
        var plain = GoldenModels.Compile("sort_unique_tokens");
        var compressed = RaspCompiler.Compile(spec.Build(), plain.Options with { CompressedWidth = plain.ResidualWidth });
        using var a = new CompiledTransformer(plain);
        using var b = new CompiledTransformer(compressed);
        Assert.True(b.IsCompressed);
        Assert.Equal(plain.ResidualWidth, b.StreamWidth);
        var input = new Value[] { 2, 4, 3, 1 };
        using var fa = a.Run([input]);
        using var fb = b.Run([input]);
        Assert.NotNull(fb.CompressedResiduals);
        for (int s = 0; s < fa.Residuals.Count; s++)
        {
            AssertClose(fa.Residual(s), fb.Residual(s), 0, $"stage {s}");
            AssertClose(fa.Residual(s), CompiledForward.ToArray(fb.CompressedResiduals![s], 0), 0, $"compressed stage {s}");
        }
    }

    [Fact]
    public void CompressedNarrowModelCarriesWidthD()
    {
        var plain = GoldenModels.Compile("reverse");
        int d = plain.ResidualWidth / 2;
        var compressed = RaspCompiler.Compile(ProgramRegistry.Get("reverse").Build(), plain.Options with { CompressedWidth = d, CompressionSeed = 7 });
        using var rt = new CompiledTransformer(compressed);
        Assert.Equal(d, rt.StreamWidth);
        using var f = rt.Run([new Value[] { "a", "b", "c" }]);
        Assert.Equal(new long[] { 1, 4, d }, f.CompressedResiduals![^1].shape);
        Assert.Equal(new long[] { 1, 4, plain.ResidualWidth }, f.Output.shape);

        // w_emb has orthonormal rows and is reproducible from the seed.
        var w = CompressionMatrix.Generate(d, plain.ResidualWidth, 7);
        Assert.Equal(w, CompressionMatrix.Generate(d, plain.ResidualWidth, 7));
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double dot = 0;
                for (int k = 0; k < plain.ResidualWidth; k++) dot += (double)w[i, k] * w[j, k];
                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"row {i}·row {j} = {dot}");
            }
    }

    [Fact]
    public void SizeReportComparesWithTracrPadding()
    {
        var model = GoldenModels.Compile("reverse");
        var size = ModelSizeReport.Of(model);
        Assert.Equal(model.StoredParameterCount, size.StoredParameters);
        Assert.Equal(model.TracrParameterCount, size.TracrParameters);
        Assert.True(size.StoredParameters < size.TracrParameters);
        Assert.Equal(TracrLayout.Parameters(model).Values.Sum(p => (long)p.Length) + BiasCount(model), size.TracrParameters);
    }

    private static long BiasCount(CompiledModel m) =>
        (long)m.Config.NumLayers * (3L * m.Config.NumHeads * m.Config.KeySize + m.ResidualWidth + m.Config.MlpHiddenSize + m.ResidualWidth);

    internal static void AssertClose(float[,] expected, float[,] actual, double tol, string what)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                double e = expected[i, j], a = actual[i, j];
                if (!(Math.Abs(e - a) <= tol * Math.Max(1, Math.Abs(e))))
                    Assert.Fail($"{what}: [{i}, {j}] expected {e:R}, got {a:R}");
            }
    }
}
