using TorchSharp;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>
/// The paper's causal test (<c>evaluation/causality.py</c>): during greedy generation on in-distribution test items,
/// Gaussian noise is added at every position to the output of block L (the detach-and-roll block); the noise is
/// projected onto the span of the adapter's final-result rows — or, as the control, onto a random subspace of the
/// same dimension (rows from <c>torch.rand</c>, uniform in [0, 1)) — and rescaled to an exact L2 norm per token.
/// </summary>
public static class CausalTest
{
    /// <summary>P = M (MᵀM + 1e-7 I)⁻¹ Mᵀ with M = rowsᵀ (the paper's get_projection).</summary>
    public static Tensor Projection(Tensor rows)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var m = rows.t();
        var mtm = m.t().matmul(m);
        var inv = linalg.inv(mtm + 1e-7 * eye(mtm.shape[0], dtype: mtm.dtype, device: mtm.device));
        return m.matmul(inv).matmul(m.t()).MoveToOuterDisposeScope();
    }

    /// <summary>A hook adding projected noise of exactly <paramref name="norm"/> per token at <paramref name="block"/>.</summary>
    public static Func<int, Tensor, Tensor> NoiseHook(int block, Tensor projection, double norm, Generator generator) => (i, h) =>
    {
        if (i != block || norm == 0) return h;
        using var scope = NewDisposeScope();
        var noise = randn(h.shape, h.dtype, CPU, generator: generator).to(h.device);
        var projected = noise.matmul(projection);
        var scaled = projected * (norm / (projected.norm(-1, true) + 1e-7));
        return (h + scaled).MoveToOuterDisposeScope();
    };

    /// <summary>Mean L2 norm per token of the output of <paramref name="block"/> on the prompts (eval mode).</summary>
    public static double MeanResidualNorm(Gpt2Model model, Gpt2Tokenizer tokenizer, TaskSplit items, int block, int batchSize = 32)
    {
        double sum = 0;
        long count = 0;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var device = model.TokenEmbedding.weight!.device;
            foreach (var chunk in items.Take(Math.Min(items.Count, 128)).Chunk(batchSize))
            {
                foreach (var e in chunk)
                {
                    using var scope = NewDisposeScope();
                    var ids = tokenizer.Encode(e.Prompt);
                    if (ids.Length == 0 || ids.Length > model.Config.NPositions) continue;
                    var t = tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Length], ScalarType.Int64).to(device);
                    using var o = model.Forward(t, new Gpt2ForwardOptions { OutputHiddenStates = true, SkipLogits = true });
                    sum += o.HiddenStates![block + 1].norm(-1).sum().item<float>();
                    count += ids.Length;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return count == 0 ? 1 : sum / count;
    }

    public static CausalResult Run(Gpt2Model model, Gpt2Tokenizer tokenizer, TaskSplit items, Tensor adapterWeight, long[] resultDims,
        int block, IReadOnlyList<double> norms, bool relative, long seed, int batchSize = 32, Action<string>? log = null)
    {
        double scale = relative ? MeanResidualNorm(model, tokenizer, items, block, batchSize) : 1;
        Tensor resultRows, randomRows, isotropicRows;
        using (no_grad())
        {
            resultRows = adapterWeight.detach().index_select(0, tensor(resultDims, ScalarType.Int64, adapterWeight.device)).clone();
            var gen = new Generator((ulong)Seeds.Derive(seed, "causal/random-subspace"), CPU);
            randomRows = rand(resultRows.shape, resultRows.dtype, CPU, generator: gen).to(adapterWeight.device);
            // torch.rand rows all lean towards the all-ones direction; Gaussian rows span a uniformly random subspace.
            var iso = new Generator((ulong)Seeds.Derive(seed, "causal/isotropic-subspace"), CPU);
            isotropicRows = randn(resultRows.shape, resultRows.dtype, CPU, generator: iso).to(adapterWeight.device);
        }
        using var resultP = Projection(resultRows);
        using var randomP = Projection(randomRows);
        using var isotropicP = Projection(isotropicRows);
        var inResult = new List<double>();
        var inRandom = new List<double>();
        var inIsotropic = new List<double>();
        foreach (var norm in norms)
        {
            foreach (var (p, list, name) in new[] { (resultP, inResult, "result"), (randomP, inRandom, "random"), (isotropicP, inIsotropic, "isotropic") })
            {
                var gen = new Generator((ulong)Seeds.Derive(seed, "causal/noise/" + name, (long)(norm * 1000)), CPU);
                var hook = NoiseHook(block, p, norm * scale, gen);
                var acc = TaskAccuracy.Evaluate(model, tokenizer, items, batchSize, hook);
                list.Add(acc.Accuracy);
                log?.Invoke($"causal: norm {norm * scale:G4} in the {name} subspace: accuracy {acc.Accuracy:P1}");
            }
        }
        resultRows.Dispose();
        randomRows.Dispose();
        isotropicRows.Dispose();
        return new CausalResult(block, resultDims.Length, scale, norms.Select(n => n * scale).ToList(), inResult, inRandom, items.Count)
        {
            IsotropicSubspace = inIsotropic,
        };
    }
}
