using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using TracrInjection.Models.Checkpoints;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Optimisation;

/// <summary>
/// <c>torch.optim.AdamW</c> with parameter groups, each with its own learning rate (the paper: LM 1e-6, adapter
/// 1e-4, weight decay 0.01 on every parameter, default betas and eps). The moments are plain float32 tensors saved
/// to and restored from a safetensors file exactly, so a resumed run continues bit for bit.
/// </summary>
public sealed class GroupedAdamW : IDisposable
{
    private sealed record Slot(string Name, Parameter Param, Tensor M, Tensor V);

    private readonly List<(string Group, double LearningRate, List<Slot> Slots)> _groups = new();

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    public long Steps { get; private set; }

    public GroupedAdamW(double beta1, double beta2, double epsilon, double weightDecay)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; WeightDecay = weightDecay;
    }

    /// <summary>Adds a group; parameter names are prefixed with the group name in the saved state.</summary>
    public void AddGroup(string group, double learningRate, IEnumerable<(string Name, Parameter Param)> parameters)
    {
        var slots = new List<Slot>();
        foreach (var (name, p) in parameters)
        {
            if (!p.requires_grad) continue;
            slots.Add(new Slot(group + "." + name, p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope()));
        }
        _groups.Add((group, learningRate, slots));
    }

    public IEnumerable<Parameter> Parameters => _groups.SelectMany(g => g.Slots.Select(s => s.Param));

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    /// <summary>One update; every group's learning rate is multiplied by <paramref name="learningRateScale"/> (warmup).</summary>
    public void Step(double learningRateScale = 1)
    {
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps);
        double bc2 = 1 - Math.Pow(Beta2, Steps);
        using var _ = no_grad();
        foreach (var (_, baseLr, slots) in _groups)
        {
            double lr = baseLr * learningRateScale;
            foreach (var s in slots)
            {
                var g = s.Param.grad;
                if (g is null) continue;
                using var scope = NewDisposeScope();
                if (WeightDecay > 0) s.Param.mul_(1 - lr * WeightDecay);
                s.M.mul_(Beta1).add_(g, alpha: 1 - Beta1);
                s.V.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
                var denom = s.V.sqrt().div_(Math.Sqrt(bc2)).add_(Epsilon);
                s.Param.addcdiv_(s.M, denom, value: -lr / bc1);
            }
        }
    }

    /// <summary>Writes exp_avg.NAME and exp_avg_sq.NAME for every parameter and the step count.</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var s in _groups.SelectMany(g => g.Slots))
        {
            tensors["exp_avg." + s.Name] = s.M;
            tensors["exp_avg_sq." + s.Name] = s.V;
        }
        SafeTensorsWriter.Save(path, tensors, SafeTensorsDType.F32, new Dictionary<string, string>
        {
            ["optimizer"] = "AdamW",
            ["steps"] = Steps.ToString(CultureInfo.InvariantCulture),
            ["groups"] = string.Join(",", _groups.Select(g => $"{g.Group}:{g.LearningRate.ToString("R", CultureInfo.InvariantCulture)}")),
        });
    }

    public void Load(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        if (!reader.Metadata.TryGetValue("steps", out var stepsText) || !long.TryParse(stepsText, CultureInfo.InvariantCulture, out var steps))
            throw new InvalidDataException($"'{path}': optimizer state has no step count");
        using var _ = no_grad();
        foreach (var s in _groups.SelectMany(g => g.Slots))
        {
            foreach (var (key, target) in new[] { ("exp_avg." + s.Name, s.M), ("exp_avg_sq." + s.Name, s.V) })
            {
                if (!reader.Contains(key)) throw new InvalidDataException($"'{path}': optimizer state lacks tensor '{key}'");
                using var source = reader.ReadTensor(key);
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"'{path}': tensor '{key}' has shape [{string.Join(", ", source.shape)}], expected [{string.Join(", ", target.shape)}]");
                target.copy_(source.to_type(target.dtype));
            }
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var s in _groups.SelectMany(g => g.Slots)) { s.M.Dispose(); s.V.Dispose(); }
        _groups.Clear();
    }
}
