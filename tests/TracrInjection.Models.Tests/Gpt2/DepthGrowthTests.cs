using TorchSharp;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Gpt2;

public sealed class DepthGrowthTests
{
    static Gpt2Config Config(int layers) => new() { NLayer = layers, NHead = 2, NEmbd = 16, NPositions = 12, VocabSize = 31 };

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 5)]
    [InlineData(4, 16)]
    public void GrownModelComputesTheSameLogits(int sourceLayers, int targetLayers)
    {
        using var source = new Gpt2Model(Config(sourceLayers), seed: 3);
        using var target = new Gpt2Model(Config(targetLayers), seed: 4);
        source.eval();
        target.eval();
        Gpt2DepthGrowth.Grow(source, target);
        using var ids = torch.tensor(new long[] { 1, 5, 30, 2, 7, 7, 0, 11, 3, 9, 12, 4 }, new long[] { 2, 6 });
        using var _ = no_grad();
        using var a = source.forward(ids);
        using var b = target.forward(ids);
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-5), $"max difference {(a - b).abs().max().item<float>()}");
    }

    [Fact]
    public void TrainedBlocksKeepTheirOrderAndNewBlocksTrain()
    {
        Assert.Equal(new[] { 0, 4, 8, 12 }, Gpt2DepthGrowth.Placement(4, 16));
        Assert.Equal(new[] { 0, 1, 3 }, Gpt2DepthGrowth.Placement(3, 5));
        using var source = new Gpt2Model(Config(2), seed: 3);
        using var target = new Gpt2Model(Config(4), seed: 4);
        Gpt2DepthGrowth.Grow(source, target);
        // A new block's residual projections start at zero but receive gradient.
        using var ids = torch.tensor(new long[] { 1, 5, 30, 2 }, new long[] { 1, 4 });
        using var logits = target.forward(ids);
        logits.sum().backward();
        var grad = target.Blocks[1].Mlp.OutputProjection.Weight.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void ModelsThatDifferInWidthAreRefused()
    {
        using var source = new Gpt2Model(Config(2), seed: 3);
        using var target = new Gpt2Model(Config(4) with { NEmbd = 32 }, seed: 4);
        var ex = Assert.Throws<ArgumentException>(() => Gpt2DepthGrowth.Grow(source, target));
        Assert.Contains("n_embd 16 vs 32", ex.Message);
        Assert.Throws<ArgumentException>(() => Gpt2DepthGrowth.Placement(4, 3));
    }
}
