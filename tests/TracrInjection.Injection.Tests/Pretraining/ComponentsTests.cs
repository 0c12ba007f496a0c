using TorchSharp;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Injection.Tests.Pretraining;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_is_linear_then_cosine_reaches_the_floor_at_the_last_step()
    {
        const double peak = 1e-3;
        Assert.Equal(peak / 10, LearningRateSchedule.At(0, 100, peak, 10, 0.1), 12);
        Assert.Equal(peak / 2, LearningRateSchedule.At(4, 100, peak, 10, 0.1), 12);
        Assert.Equal(peak, LearningRateSchedule.At(10, 100, peak, 10, 0.1), 12);
        Assert.Equal(peak * 0.1, LearningRateSchedule.At(100, 100, peak, 10, 0.1), 12);
        Assert.Equal(peak * 0.55, LearningRateSchedule.At(55, 100, peak, 10, 0.1), 12); // halfway through the decay
        double previous = double.MaxValue;
        for (int s = 10; s <= 100; s++)
        {
            double lr = LearningRateSchedule.At(s, 100, peak, 10, 0.1);
            Assert.True(lr <= previous + 1e-18);
            previous = lr;
        }
    }

    [Fact]
    public void Without_warmup_the_first_step_uses_the_peak()
    {
        Assert.Equal(3e-4, LearningRateSchedule.At(0, 50, 3e-4, 0, 0), 15);
        Assert.Equal(0, LearningRateSchedule.At(50, 50, 3e-4, 0, 0), 15);
    }
}

public class BatchSamplerTests
{
    [Fact]
    public void Targets_are_inputs_shifted_by_one_and_each_block_comes_once_per_epoch()
    {
        var tokens = Enumerable.Range(0, 4 * 10 + 1).ToArray(); // 10 blocks of 4
        var sampler = new BatchSampler(tokens, 4, 2, seed: 3);
        Assert.Equal(10, sampler.BlockCount);
        var starts = new List<long>();
        for (int step = 0; step < 5; step++)
        {
            var (x, y) = sampler.Batch(step);
            for (int b = 0; b < 2; b++)
            {
                Assert.Equal(0, x[b * 4] % 4);
                for (int t = 0; t < 4; t++)
                {
                    Assert.Equal(x[b * 4] + t, x[b * 4 + t]);
                    Assert.Equal(x[b * 4 + t] + 1, y[b * 4 + t]);
                }
                starts.Add(x[b * 4]);
            }
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 4L * i), starts.OrderBy(s => s));
    }

    [Fact]
    public void Batches_depend_only_on_seed_and_step()
    {
        var tokens = Enumerable.Range(0, 1000).Select(i => i * 7 % 101).ToArray();
        var a = new BatchSampler(tokens, 8, 3, seed: 11);
        var b = new BatchSampler(tokens, 8, 3, seed: 11);
        var c = new BatchSampler(tokens, 8, 3, seed: 12);
        for (int step = 0; step < 100; step += 7)
        {
            Assert.Equal(a.Batch(step).Inputs, b.Batch(step).Inputs);
            Assert.Equal(a.Batch(step).Targets, b.Batch(step).Targets);
        }
        Assert.Equal(a.Batch(50).Inputs, b.Batch(50).Inputs); // out of order too
        Assert.NotEqual(a.Batch(0).Inputs, c.Batch(0).Inputs);
        Assert.Throws<ArgumentException>(() => new BatchSampler(new int[5], 8, 1, 0));
    }
}

public class AdamWTests
{
    [Fact]
    public void Matches_the_adamw_formula_and_decays_only_matrices()
    {
        using var scope = NewDisposeScope();
        var w = new TorchSharp.Modules.Parameter(torch.tensor(new float[] { 0.5f, -1f, 2f, 0.25f }).reshape(2, 2));
        var bias = new TorchSharp.Modules.Parameter(torch.tensor(new float[] { 1f, -2f }));
        using var opt = new AdamW([("w", w), ("b", bias)], 0.9, 0.95, 1e-8, 0.1);
        double[] mW = new double[4], vW = new double[4], mB = new double[2], vB = new double[2];
        double[] pW = [0.5, -1, 2, 0.25], pB = [1, -2];
        double lr = 0.01;
        for (int step = 1; step <= 3; step++)
        {
            opt.ZeroGrad();
            var loss = (w * w).sum() * 0.5 + (bias * 3).sum(); // grad w = w, grad b = 3
            loss.backward();
            opt.Step(lr);
            double bc1 = 1 - Math.Pow(0.9, step), bc2 = 1 - Math.Pow(0.95, step);
            for (int i = 0; i < 4; i++)
            {
                double g = pW[i];
                mW[i] = 0.9 * mW[i] + 0.1 * g; vW[i] = 0.95 * vW[i] + 0.05 * g * g;
                pW[i] *= 1 - lr * 0.1;
                pW[i] -= lr / bc1 * mW[i] / (Math.Sqrt(vW[i]) / Math.Sqrt(bc2) + 1e-8);
            }
            for (int i = 0; i < 2; i++)
            {
                double g = 3;
                mB[i] = 0.9 * mB[i] + 0.1 * g; vB[i] = 0.95 * vB[i] + 0.05 * g * g;
                pB[i] -= lr / bc1 * mB[i] / (Math.Sqrt(vB[i]) / Math.Sqrt(bc2) + 1e-8);
            }
        }
        var gotW = w.detach().data<float>().ToArray();
        var gotB = bias.detach().data<float>().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(pW[i], gotW[i], 5);
        for (int i = 0; i < 2; i++) Assert.Equal(pB[i], gotB[i], 5);
        Assert.Equal(3, opt.Steps);
    }

    [Fact]
    public void Moments_round_trip_through_a_file()
    {
        using var dir = new TempFolder();
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 50), seed: 1);
        using var opt = new AdamW(model.named_parameters(), 0.9, 0.95, 1e-8, 0.1);
        var ids = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }, new long[] { 1, 6 });
        using (var o = model.Forward(ids)) o.Logits!.sum().backward();
        opt.Step(1e-3);
        string path = dir["opt.safetensors"];
        opt.Save(path);
        using var other = new AdamW(model.named_parameters(), 0.9, 0.95, 1e-8, 0.1);
        other.Load(path);
        Assert.Equal(1, other.Steps);
        string again = dir["opt2.safetensors"];
        other.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));

        using var wrongShape = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 60), seed: 1);
        using var mismatched = new AdamW(wrongShape.named_parameters(), 0.9, 0.95, 1e-8, 0.1);
        var ex = Assert.Throws<InvalidDataException>(() => mismatched.Load(path));
        Assert.Contains("wte.weight", ex.Message);
    }
}

public class LanguageModelScoringTests
{
    [Fact]
    public void Windows_overlap_by_one_so_every_token_after_the_first_is_predicted_once()
    {
        var stream = Enumerable.Range(0, 23).ToArray();
        var windows = LanguageModelScoring.Windows(stream, 8);
        Assert.Equal(new[] { 0, 7, 14, 21 }, windows.Select(w => w[0]));
        Assert.Equal(22, windows.Sum(w => w.Length - 1));
        var predicted = windows.SelectMany(w => w.Skip(1)).ToArray();
        Assert.Equal(stream.Skip(1), predicted);
        Assert.Single(LanguageModelScoring.Windows(stream, 8, maxWindows: 1));
    }

    [Fact]
    public void Score_equals_the_cross_entropy_of_one_forward_pass_when_the_text_fits()
    {
        var config = Gpt2Config.Tiny() with { NPositions = 64 };
        using var model = new Gpt2Model(config, seed: 5);
        var tokenizer = Gpt2Tokenizer.Create();
        var docs = new[] { "Hello world.", "A second document." };
        var stream = PretrainingData.TokenStream(docs, tokenizer);
        Assert.Equal(tokenizer.EndOfTextId, stream[0]);
        Assert.True(stream.Length <= 64);

        var result = LanguageModelScoring.Score(model, tokenizer, docs);
        using var _ = no_grad();
        var ids = torch.tensor(stream.Select(i => (long)i).ToArray(), new long[] { 1, stream.Length });
        using var output = model.Forward(ids);
        var logits = output.Logits!.narrow(1, 0, stream.Length - 1).reshape(-1, config.VocabSize);
        var targets = torch.tensor(stream.Skip(1).Select(i => (long)i).ToArray());
        double expected = F.cross_entropy(logits, targets).item<float>();
        Assert.Equal(stream.Length - 1, result.TokenCount);
        Assert.Equal(expected, result.MeanLoss, 4);
    }
}
