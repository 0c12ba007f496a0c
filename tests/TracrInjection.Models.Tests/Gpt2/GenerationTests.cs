using TorchSharp;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Gpt2;

public class GenerationTests : IDisposable
{
    readonly TinyGpt2 _tiny = TinyGpt2.Random(seed: 11, positions: 24);
    readonly TempFolder _dir = new();
    readonly Gpt2Model _model;

    public GenerationTests()
    {
        _tiny.WriteCheckpoint(_dir.Path);
        _model = Gpt2Checkpoint.Load(_dir.Path);
    }

    public void Dispose()
    {
        _model.Dispose();
        _dir.Dispose();
    }

    static readonly int[][] Prompts = { new[] { 5 }, new[] { 1, 2, 3, 4, 5 }, new[] { 22, 0, 7 }, new[] { 9, 9 } };

    int[] ReferenceGreedy(int[] prompt, int n)
    {
        var ids = prompt.ToList();
        for (int i = 0; i < n; i++)
        {
            var logits = _tiny.Reference(ids.ToArray()).Logits[^1];
            ids.Add(Array.IndexOf(logits, logits.Max()));
        }
        return ids.Skip(prompt.Length).ToArray();
    }

    [Fact]
    public void CachedAndUncachedGenerationAgreeWithPlainGreedy()
    {
        var cached = Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 10 });
        var uncached = Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 10, UseCache = false });
        for (int i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(10, cached[i].NewIds.Length);
            Assert.Equal(cached[i].NewIds, uncached[i].NewIds);
            Assert.Equal(ReferenceGreedy(Prompts[i], 10), cached[i].NewIds);
            Assert.Equal(Gpt2StopReason.MaxNewTokens, cached[i].Reason);
            Assert.Same(Prompts[i], cached[i].PromptIds);
        }
        // Generated tokens are not all the same (the test would be weak otherwise).
        Assert.True(cached.SelectMany(c => c.NewIds).Distinct().Count() > 2);
    }

    /// <summary>Reference no_repeat_ngram greedy: the argmax over the tokens that do not complete a seen n-gram.</summary>
    int[] ReferenceNoRepeat(int[] prompt, int steps, int n)
    {
        var ids = prompt.ToList();
        for (int i = 0; i < steps; i++)
        {
            var logits = _tiny.Reference(ids.ToArray()).Logits[^1];
            var banned = new HashSet<int>();
            for (int j = 0; j + n - 1 < ids.Count; j++)
                if (ids.Skip(j).Take(n - 1).SequenceEqual(ids.Skip(ids.Count - (n - 1))))
                    banned.Add(ids[j + n - 1]);
            int best = Enumerable.Range(0, logits.Length).Where(t => !banned.Contains(t)).MaxBy(t => logits[t]);
            ids.Add(best);
        }
        return ids.Skip(prompt.Length).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NoRepeatNgramNeverRepeatsAnNgram(int n)
    {
        var prompts = new[] { new[] { 9, 9 }, new[] { 1, 2, 3, 1, 2 }, new[] { 5 } };
        foreach (bool cache in new[] { true, false })
        {
            var results = Gpt2Generation.GenerateGreedy(_model, prompts, new Gpt2GenerationOptions { MaxNewTokens = 12, NoRepeatNgramSize = n, UseCache = cache });
            for (int i = 0; i < prompts.Length; i++)
            {
                Assert.Equal(ReferenceNoRepeat(prompts[i], 12, n), results[i].NewIds);
                var seq = prompts[i].Concat(results[i].NewIds).ToArray();
                // The generated part adds no n-gram that occurred before it.
                var seen = new HashSet<string>();
                for (int j = 0; j + n <= seq.Length; j++)
                {
                    string gram = string.Join(",", seq.Skip(j).Take(n));
                    if (j + n > prompts[i].Length) Assert.DoesNotContain(gram, seen);
                    seen.Add(gram);
                }
            }
        }
    }

    [Fact]
    public void BatchedGenerationEqualsOneByOne()
    {
        var batched = Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 6 });
        for (int i = 0; i < Prompts.Length; i++)
        {
            var single = Gpt2Generation.GenerateGreedy(_model, new[] { Prompts[i] }, new Gpt2GenerationOptions { MaxNewTokens = 6 });
            Assert.Equal(single[0].NewIds, batched[i].NewIds);
        }
    }

    [Fact]
    public void StopTokensEndEachSequenceSeparately()
    {
        var free = Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 8 });
        int stopId = free[1].NewIds[3];
        int firstAt1 = Array.IndexOf(free[1].NewIds, stopId);
        var stopped = Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 8, StopTokenIds = new[] { stopId } });
        for (int i = 0; i < Prompts.Length; i++)
        {
            int at = Array.IndexOf(free[i].NewIds, stopId);
            if (at < 0)
            {
                Assert.Equal(free[i].NewIds, stopped[i].NewIds);
                Assert.Equal(Gpt2StopReason.MaxNewTokens, stopped[i].Reason);
            }
            else
            {
                Assert.Equal(free[i].NewIds[..at], stopped[i].NewIds);
                Assert.Equal(Gpt2StopReason.StopToken, stopped[i].Reason);
                Assert.Equal(stopId, stopped[i].StopTokenId);
            }
        }
        Assert.Equal(firstAt1, stopped[1].NewIds.Length);
    }

    [Fact]
    public void CachedStepsProcessOnlyTheNewToken()
    {
        var widths = new List<long>();
        Gpt2Generation.GenerateGreedy(_model, new[] { new[] { 1, 2, 3, 4, 5, 6, 7 } }, new Gpt2GenerationOptions
        {
            MaxNewTokens = 5,
            BlockHook = (i, h) => { if (i == 0) widths.Add(h.shape[1]); return h; },
        });
        Assert.Equal(new long[] { 7, 1, 1, 1, 1 }, widths);
    }

    [Fact]
    public void IncrementalForwardWithGrowingCacheMatchesFullForward()
    {
        int[] ids = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5 };
        var expected = _tiny.Reference(ids).Logits;
        using var cache = new Gpt2KeyValueCache(_model.Config, batchSize: 1, initialCapacity: 1);
        using var _ = no_grad();
        int pos = 0;
        foreach (var chunk in new[] { 2, 1, 3, 1, 4 })
        {
            using var input = torch.tensor(ids[pos..(pos + chunk)].Select(x => (long)x).ToArray(), new long[] { 1, chunk });
            using var output = _model.Forward(input, new Gpt2ForwardOptions { Cache = cache });
            var got = Gpt2ModelTests.Flat(output.Logits!);
            var want = expected[pos..(pos + chunk)].SelectMany(r => r).ToArray();
            for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) < 1e-5, $"pos {pos} [{i}]: {want[i]} vs {got[i]}");
            pos += chunk;
            Assert.Equal(pos, cache.Length);
        }
        Assert.True(cache.Capacity >= ids.Length);
    }

    [Fact]
    public void GenerationRestoresTrainingModeAndValidatesInput()
    {
        _model.train();
        Gpt2Generation.GenerateGreedy(_model, Prompts, new Gpt2GenerationOptions { MaxNewTokens = 2 });
        Assert.True(_model.training);
        _model.eval();
        Assert.Throws<ArgumentException>(() => Gpt2Generation.GenerateGreedy(_model, new[] { new[] { 99 } }));
        Assert.Throws<ArgumentException>(() => Gpt2Generation.GenerateGreedy(_model, new[] { Array.Empty<int>() }));
        Assert.Throws<ArgumentException>(() => Gpt2Generation.GenerateGreedy(_model, new[] { new[] { 1 } }, new Gpt2GenerationOptions { MaxNewTokens = 24 }));
        Assert.Empty(Gpt2Generation.GenerateGreedy(_model, new[] { new[] { 1 } }, new Gpt2GenerationOptions { MaxNewTokens = 0 })[0].NewIds);
    }

    [Fact]
    public void MeanTokenLossMatchesPlainComputation()
    {
        int[][] seqs = { new[] { 1, 2, 3, 4, 5, 6 }, new[] { 7, 8 }, new[] { 9 }, new[] { 10, 11, 12, 13 }, new[] { 0, 22, 21, 20, 19, 18, 17, 16, 15 } };
        double sum = 0;
        long n = 0;
        foreach (var s in seqs)
        {
            var logits = _tiny.Reference(s).Logits;
            for (int t = 0; t + 1 < s.Length; t++)
            {
                double max = logits[t].Max();
                double lse = max + Math.Log(logits[t].Sum(v => Math.Exp(v - max)));
                sum += lse - logits[t][s[t + 1]];
                n++;
            }
        }
        foreach (int batch in new[] { 1, 2, 8 })
        {
            var result = Gpt2Evaluation.MeanTokenLoss(_model, seqs, batchSize: batch);
            Assert.Equal(n, result.TokenCount);
            Assert.True(Math.Abs(sum / n - result.MeanLoss) < 1e-5, $"batch {batch}: {sum / n} vs {result.MeanLoss}");
            Assert.True(Math.Abs(Math.Exp(sum / n) - result.Perplexity) < 1e-4);
        }
    }
}
