using TorchSharp;
using TorchSharp.Modules;
using TracrInjection.Models.Checkpoints;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Pretraining;

/// <summary>
/// AdamW (decoupled weight decay, bias-corrected moments) over named parameters. Weight decay
/// applies to matrices only (weights and embeddings), not to biases and LayerNorm gains, as in
/// GPT-2 training practice. The moments are plain tensors so they can be saved to and restored
/// from a safetensors file exactly.
/// </summary>
public sealed class AdamW : IDisposable
{
    readonly List<(string Name, Parameter Param, Tensor M, Tensor V, bool Decay)> _slots = new();

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    /// <summary>Updates applied so far (the t of the bias correction).</summary>
    public long Steps { get; private set; }

    public AdamW(IEnumerable<(string name, Parameter parameter)> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; WeightDecay = weightDecay;
        foreach (var (name, p) in parameters)
        {
            if (!p.requires_grad) continue;
            var m = torch.zeros_like(p).DetachFromDisposeScope();
            var v = torch.zeros_like(p).DetachFromDisposeScope();
            _slots.Add((name, p, m, v, p.dim() >= 2));
        }
    }

    public void ZeroGrad()
    {
        foreach (var s in _slots) s.Param.grad?.zero_();
    }

    public void Step(double learningRate)
    {
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps);
        double bc2 = 1 - Math.Pow(Beta2, Steps);
        using var _ = no_grad();
        foreach (var (_, p, m, v, decay) in _slots)
        {
            var g = p.grad;
            if (g is null) continue;
            using var scope = NewDisposeScope();
            m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            if (decay && WeightDecay > 0) p.mul_(1 - learningRate * WeightDecay);
            var denom = v.sqrt().div_(Math.Sqrt(bc2)).add_(Epsilon);
            p.addcdiv_(m, denom, value: -learningRate / bc1);
        }
    }

    /// <summary>Writes the moments (exp_avg.NAME, exp_avg_sq.NAME) and the step count.</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, _, m, v, _) in _slots)
        {
            tensors["exp_avg." + name] = m;
            tensors["exp_avg_sq." + name] = v;
        }
        SafeTensorsWriter.Save(path, tensors, SafeTensorsDType.F32, new Dictionary<string, string>
        {
            ["optimizer"] = "AdamW", ["steps"] = Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public void Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        if (!reader.Metadata.TryGetValue("steps", out var stepsText) || !long.TryParse(stepsText, System.Globalization.CultureInfo.InvariantCulture, out var steps))
            throw new InvalidDataException($"'{path}': optimizer state has no step count.");
        using var _ = no_grad();
        foreach (var (name, p, m, v, _) in _slots)
        {
            foreach (var (key, target) in new[] { ("exp_avg." + name, m), ("exp_avg_sq." + name, v) })
            {
                if (!reader.Contains(key)) throw new InvalidDataException($"'{path}': optimizer state lacks tensor '{key}'.");
                using var source = reader.ReadTensor(key);
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"'{path}': tensor '{key}' has shape [{string.Join(", ", source.shape)}], expected [{string.Join(", ", target.shape)}].");
                target.copy_(source.to_type(target.dtype));
            }
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var s in _slots) { s.M.Dispose(); s.V.Dispose(); }
        _slots.Clear();
    }
}
