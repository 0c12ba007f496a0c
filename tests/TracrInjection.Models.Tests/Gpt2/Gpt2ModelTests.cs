using TorchSharp;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Gpt2;

public class Gpt2ModelTests
{
    const double Tol = 1e-5;

    internal static float[] Flat(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    static Tensor Ids(params int[][] rows) =>
        torch.tensor(rows.SelectMany(r => r.Select(x => (long)x)).ToArray(), new long[] { rows.Length, rows[0].Length });

    static void AssertClose(double[] expected, float[] actual, double tol = Tol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData("transformer.", false, false)]
    [InlineData("", false, false)]
    [InlineData("transformer.", true, true)]
    [InlineData("", true, true)]
    public void LoadedCheckpointMatchesPlainComputation(string prefix, bool lmHead, bool maskBuffers)
    {
        var tiny = TinyGpt2.Random(seed: 1);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path, prefix, withLmHead: lmHead, withMaskBuffers: maskBuffers);
        using var model = Gpt2Checkpoint.Load(dir.Path);

        Assert.Equal(2, model.Config.NLayer);
        Assert.False(model.training);
        int[] ids = { 3, 17, 0, 22, 5, 9, 9 };
        var (hidden, logits) = tiny.Reference(ids);

        using var output = model.Forward(Ids(ids), new Gpt2ForwardOptions { OutputHiddenStates = true });
        AssertClose(logits.SelectMany(r => r).ToArray(), Flat(output.Logits!), what: "logits");
        Assert.Equal(tiny.Layers + 1, output.HiddenStates!.Count);
        for (int i = 0; i <= tiny.Layers; i++)
            AssertClose(hidden[i].SelectMany(r => r).ToArray(), Flat(output.HiddenStates[i]), what: $"hidden[{i}]");
    }

    [Fact]
    public void BatchedForwardEqualsPerSequenceForward()
    {
        var tiny = TinyGpt2.Random(seed: 2);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        using var model = Gpt2Checkpoint.Load(dir.Path);
        int[] a = { 1, 2, 3, 4, 5 }, b = { 20, 19, 18, 17, 16 };
        using var output = model.Forward(Ids(a, b));
        var flat = Flat(output.Logits!);
        int n = a.Length * tiny.Vocab;
        AssertClose(tiny.Reference(a).Logits.SelectMany(r => r).ToArray(), flat[..n]);
        AssertClose(tiny.Reference(b).Logits.SelectMany(r => r).ToArray(), flat[n..]);
    }

    [Fact]
    public void LeftPaddedSequenceGivesSameLogitsAsUnpadded()
    {
        var tiny = TinyGpt2.Random(seed: 3);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        using var model = Gpt2Checkpoint.Load(dir.Path);
        int[] shortSeq = { 7, 8, 9 };
        int[] longSeq = { 1, 2, 3, 4, 5 };
        using var mask = torch.tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 5 });
        using var output = model.Forward(Ids(new[] { 0, 0, 7, 8, 9 }, longSeq), new Gpt2ForwardOptions { AttentionMask = mask });
        var flat = Flat(output.Logits!);
        Assert.DoesNotContain(flat, float.IsNaN);
        int v = tiny.Vocab;
        AssertClose(tiny.Reference(shortSeq).Logits.SelectMany(r => r).ToArray(), flat[(2 * v)..(5 * v)]);
        AssertClose(tiny.Reference(longSeq).Logits.SelectMany(r => r).ToArray(), flat[(5 * v)..]);
    }

    [Fact]
    public void BlockHookSeesWhatForwardUsesAndCanReplaceIt()
    {
        var tiny = TinyGpt2.Random(seed: 4, layers: 3);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        using var model = Gpt2Checkpoint.Load(dir.Path);
        int[] ids = { 4, 8, 15, 16, 23 % 23, 2 };
        var (hidden, _) = tiny.Reference(ids);

        // Observing: the hook receives exactly the reference state after each block.
        var seen = new List<float[]>();
        using (var output = model.Forward(Ids(ids), new Gpt2ForwardOptions
        {
            OutputHiddenStates = true,
            BlockHook = (i, h) => { seen.Add(Flat(h)); return h; },
        }))
        {
            Assert.Equal(3, seen.Count);
            for (int i = 0; i < 3; i++)
            {
                AssertClose(hidden[i + 1].SelectMany(r => r).ToArray(), seen[i], what: $"hook[{i}]");
                Assert.Equal(seen[i], Flat(output.HiddenStates![i + 1]));
            }
        }

        // Replacing: zero position 2 and scale the rest after block 1; later blocks read the replacement.
        void Edit(int block, double[][] x)
        {
            if (block != 1) return;
            for (int t = 0; t < x.Length; t++)
                for (int c = 0; c < x[t].Length; c++) x[t][c] = t == 2 ? 0 : x[t][c] * 1.5;
        }
        var (editedHidden, editedLogits) = tiny.Reference(ids, Edit);
        using var edited = model.Forward(Ids(ids), new Gpt2ForwardOptions
        {
            OutputHiddenStates = true,
            BlockHook = (i, h) =>
            {
                if (i != 1) return h;
                var scale = torch.full(new long[] { 1, ids.Length, 1 }, 1.5f);
                scale[0, 2, 0] = torch.tensor(0f);
                return h * scale;
            },
        });
        AssertClose(editedLogits.SelectMany(r => r).ToArray(), Flat(edited.Logits!), what: "edited logits");
        AssertClose(editedHidden[2].SelectMany(r => r).ToArray(), Flat(edited.HiddenStates![2]), what: "edited state");
        AssertClose(editedHidden[3].SelectMany(r => r).ToArray(), Flat(edited.HiddenStates![3]), what: "state after edit");
    }

    [Fact]
    public void ModelConvertedToFloat64MatchesPlainComputationClosely()
    {
        var tiny = TinyGpt2.Random(seed: 6);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        using var model = Gpt2Checkpoint.Load(dir.Path);
        model.to(ScalarType.Float64);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        int[] ids = { 2, 7, 1, 8, 2, 8 };
        using var output = model.Forward(Ids(ids));
        var got = output.Logits!.data<double>().ToArray();
        var want = tiny.Reference(ids).Logits.SelectMany(r => r).ToArray();
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) < 1e-9, $"[{i}] {want[i]} vs {got[i]}");
    }

    [Fact]
    public void GradientsFlowThroughHookReplacement()
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 31), seed: 5);
        model.train();
        using var output = model.Forward(Ids(new[] { 1, 2, 3 }), new Gpt2ForwardOptions { BlockHook = (i, h) => i == 0 ? h * 2 : h });
        output.Logits!.sum().backward();
        var grad = model.TokenEmbedding.weight!.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void RandomInitialisationIsReproducibleAndFollowsHfScheme()
    {
        var config = Gpt2Config.Tiny(vocabSize: 101) with { NLayer = 4 };
        using var a = new Gpt2Model(config, seed: 42);
        using var b = new Gpt2Model(config, seed: 42);
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.eq(pb).all().item<bool>(), name);
        var block = a.Blocks[0];
        Assert.True(block.Ln1.weight!.eq(1).all().item<bool>());
        Assert.True(block.Attention.QkvProjection.Bias.eq(0).all().item<bool>());
        double projStd = block.Mlp.OutputProjection.Weight.std().item<float>();
        Assert.InRange(projStd, 0.02 / Math.Sqrt(8) * 0.8, 0.02 / Math.Sqrt(8) * 1.2);
    }

    [Fact]
    public void ParameterNamesAreHfNames()
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 11), seed: 0);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("wte.weight", names);
        Assert.Contains("wpe.weight", names);
        Assert.Contains("h.1.attn.c_attn.weight", names);
        Assert.Contains("h.0.mlp.c_proj.bias", names);
        Assert.Contains("ln_f.bias", names);
        Assert.Equal(4 + 2 * 12, names.Count);
        Assert.Equal(new long[] { 16, 48 }, model.Blocks[0].Attention.QkvProjection.Weight.shape);
    }

    [Fact]
    public void PositionsBeyondContextAreRejected()
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 11) with { NPositions = 4 }, seed: 0);
        var ex = Assert.Throws<ArgumentException>(() => model.Forward(Ids(new[] { 1, 2, 3, 4, 5 })));
        Assert.Contains("n_positions", ex.Message);
    }
}
