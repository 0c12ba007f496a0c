using TorchSharp;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Losses;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Tests.Training;

public class LossTests
{
    private static Tensor T(float[] values, params long[] shape) => tensor(values, shape, ScalarType.Float32);

    [Fact]
    public void CosineDistanceMatchesAHandComputation()
    {
        // Two sequences of two positions in 2-d: vectors at 0°, 90°, 180° and 45° from their targets.
        var adapted = T([1, 0, 0, 2, -3, 0, 1, 1], 2, 2, 2);
        var target = T([5, 0, 1, 0, 1, 0, 0, 7], 2, 2, 2);
        double[] distances = [0, 1, 2, 1 - Math.Sqrt(0.5)];
        Assert.Equal(distances.Average(), InjectionLosses.CosineDistance(adapted, target).item<float>(), 5);
        var mask = T([1, 0, 1, 1], 2, 2);
        Assert.Equal((0 + 2 + 1 - Math.Sqrt(0.5)) / 3, InjectionLosses.CosineDistance(adapted, target, mask).item<float>(), 5);
    }

    [Fact]
    public void AlgorithmLossSumsTheLayersTimesTheMultiplier()
    {
        var a = T([1, 0, 0, 1], 1, 2, 2);
        var b = T([0, 1, 0, 1], 1, 2, 2); // distances 1 and 0 → 0.5
        var c = T([-1, 0, 0, -1], 1, 2, 2); // distances 2 and 2 → 2
        var loss = InjectionLosses.AlgorithmLoss([a, a], [b, c], multiplier: 3);
        Assert.Equal(3 * (0.5 + 2.0), loss.item<float>(), 5);
    }

    [Fact]
    public void AnswerCrossEntropyIsTheMeanOverSelectedPredictions()
    {
        var logits = T([2, 0, 0, 0, 1, 3], 2, 3);
        var targets = tensor(new long[] { 0, 1 }, ScalarType.Int64);
        double l0 = -(2 - Math.Log(Math.Exp(2) + 2));
        double l1 = -(1 - Math.Log(1 + Math.Exp(1) + Math.Exp(3)));
        Assert.Equal((l0 + l1) / 2, InjectionLosses.AnswerCrossEntropy(logits, targets).item<float>(), 5);
        Assert.Equal(0f, InjectionLosses.AnswerCrossEntropy(zeros(0, 3), zeros(0, ScalarType.Int64)).item<float>());
    }

    [Fact]
    public void KlDivergenceIsKlOfOriginalToModelSummedAndDividedByTheBatch()
    {
        var model = T([0, 1, 2, 1, 1, 1, 3, 0, 0, 0, 0, 1], 2, 2, 3);
        var original = T([1, 1, 0, 0, 2, 0, 0, 0, 0, 2, 1, 0], 2, 2, 3);
        double total = 0;
        var m = model.data<float>().ToArray();
        var o = original.data<float>().ToArray();
        for (int row = 0; row < 4; row++)
        {
            var q = Softmax(m.Skip(3 * row).Take(3).ToArray());
            var p = Softmax(o.Skip(3 * row).Take(3).ToArray());
            for (int v = 0; v < 3; v++) total += p[v] * (Math.Log(p[v]) - Math.Log(q[v]));
        }
        Assert.Equal(total / 2, InjectionLosses.KlDivergence(model, original).item<float>(), 5);
        var torchKl = nn.functional.kl_div(model.log_softmax(-1), original.softmax(-1), reduction: nn.Reduction.Sum, log_target: false).item<float>() / 2;
        Assert.Equal(torchKl, InjectionLosses.KlDivergence(model, original).item<float>(), 5);
        Assert.Equal(0f, InjectionLosses.KlDivergence(original, original).item<float>(), 6);
    }

    private static double[] Softmax(float[] x)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    [Fact]
    public void ProjectorIsTheOrthogonalProjectionOntoTheResultRows()
    {
        torch.random.manual_seed(1);
        var weight = randn(6, 4); // adapter [d_compiled = 6, d_LM = 4]
        var p = DetachAndRoll.Projector(weight, [1, 4]);
        Assert.Equal(new long[] { 4, 4 }, p.shape);
        Assert.True(p.matmul(p).allclose(p, 1e-4, 1e-5));
        Assert.True(p.allclose(p.t(), 1e-4, 1e-5));
        Assert.Equal(2, (int)Math.Round(p.trace().item<float>()));
        var row = weight[1].unsqueeze(0);
        Assert.True(row.matmul(p).allclose(row, 1e-4, 1e-4)); // the rows themselves are kept
        Assert.False(p.requires_grad);
    }

    [Fact]
    public void DetachAndRollKeepsTheProjectedGradientAndNothingElse()
    {
        torch.random.manual_seed(2);
        var weight = randn(5, 4);
        var p = DetachAndRoll.Projector(weight, [0, 3]);
        var h = randn(3, 2, 4).requires_grad_(true);
        var output = DetachAndRoll.Apply(h, p);

        // Forward: this example's projection plus the previous example's orthogonal complement.
        using (no_grad())
        {
            var rest = h - h.matmul(p);
            var expected = h.matmul(p) + rest.roll(1, 0);
            Assert.True(output.allclose(expected, 1e-5, 1e-5));
            Assert.True(output[1].allclose(h[1].matmul(p) + rest[0], 1e-5, 1e-5));
        }

        var g = randn(3, 2, 4);
        (output * g).sum().backward();
        var grad = h.grad!;
        Assert.True(grad.allclose(g.matmul(p), 1e-5, 1e-5)); // gradient only through the projection
        var complement = eye(4) - p;
        Assert.True(grad.matmul(complement).abs().max().item<float>() < 1e-5); // none through the rolled rest
    }

    [Fact]
    public void LayerAlignmentPacksTeacherLayersIntoAvailableBlocks()
    {
        var dyck = TracrInjection.Injection.Tasks.InjectionTask.Dyck.Teacher(40);
        var identity = LayerAlignment.For(dyck, 36, LayerMappingMode.Auto);
        Assert.Equal(Enumerable.Range(0, 8), identity.HiddenIndices);
        Assert.Equal(Enumerable.Range(0, 8), identity.CompiledLayers);
        Assert.Equal(7, identity.RollBlock);
        Assert.Equal(LayerMappingMode.Identity, identity.Mode);

        var packed = LayerAlignment.For(dyck, 4, LayerMappingMode.Auto);
        Assert.Equal([0, 1, 2], packed.HiddenIndices);
        Assert.Equal([0, 2, 7], packed.CompiledLayers);
        Assert.Equal(2, packed.RollBlock);

        var sum = TracrInjection.Injection.Tasks.InjectionTask.Sum.Teacher(16);
        Assert.Equal([1, 2, 4, 6, 21], LayerAlignment.GroupEnds(sum));
        Assert.Equal([0, 4, 21], LayerAlignment.For(sum, 4, LayerMappingMode.Auto).CompiledLayers);
        Assert.Equal([0, 1, 2, 4, 6, 21], LayerAlignment.For(sum, 12, LayerMappingMode.Auto).CompiledLayers);
        Assert.Equal([0, 21], LayerAlignment.For(sum, 2, LayerMappingMode.Auto).CompiledLayers);
        Assert.Equal(1, LayerAlignment.For(sum, 2, LayerMappingMode.Auto).RollBlock);
    }
}
