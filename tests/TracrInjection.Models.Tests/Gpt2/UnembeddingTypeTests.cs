using TorchSharp;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Native;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Gpt2;

public class UnembeddingTypeTests
{
    [Fact]
    public void Bfloat16_unembedding_approximates_float32_logits_and_passes_gradients_to_the_float32_weights()
    {
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 97) with { NPositions = 16 }, seed: 4);
        var ids = torch.tensor(new long[] { 1, 5, 9, 33, 2, 70, 11, 8 }, new long[] { 2, 4 });
        using var exact = model.Forward(ids);
        using var fast = model.Forward(ids, new Gpt2ForwardOptions { UnembeddingType = ScalarType.BFloat16 });
        Assert.Equal(ScalarType.Float32, exact.Logits!.dtype);
        Assert.Equal(ScalarType.BFloat16, fast.Logits!.dtype);
        double maxDiff = (fast.Logits.to_type(ScalarType.Float32) - exact.Logits).abs().max().item<float>();
        double scale = exact.Logits.abs().max().item<float>();
        Assert.True(maxDiff <= 0.02 * scale + 1e-3, $"max |bf16 - f32| = {maxDiff} (logit scale {scale})");

        fast.Logits.to_type(ScalarType.Float32).sum().backward();
        var grad = model.TokenEmbedding.weight!.grad;
        Assert.NotNull(grad);
        Assert.Equal(ScalarType.Float32, grad!.dtype);
        Assert.True(grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void The_allocator_setting_applies_on_linux_and_is_idempotent()
    {
        bool first = GlibcAllocator.KeepFreedMemory();
        Assert.Equal(first, GlibcAllocator.KeepFreedMemory());
        if (OperatingSystem.IsLinux()) Assert.True(first);
    }
}
