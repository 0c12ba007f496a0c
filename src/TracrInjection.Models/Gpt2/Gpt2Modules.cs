using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TracrInjection.Models.Gpt2;

// Field names below are HF's module names on purpose: TorchSharp names parameters after fields,
// so state_dict() keys equal HF GPT2Model keys ("h.0.attn.c_attn.weight") with no mapping table.
#pragma warning disable IDE1006

/// <summary>
/// HF's Conv1D: a linear layer whose weight is stored [in, out] (the transpose of nn.Linear).
/// Keeping HF's layout makes checkpoint load/save a plain copy, bit-exact both ways.
/// </summary>
public sealed class Gpt2Conv1D : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;

    public Gpt2Conv1D(string name, long inFeatures, long outFeatures) : base(name)
    {
        weight = new Parameter(torch.empty(inFeatures, outFeatures));
        bias = new Parameter(torch.zeros(outFeatures));
        RegisterComponents();
    }

    public Parameter Weight => weight;
    public Parameter Bias => bias;

    public override Tensor forward(Tensor x)
    {
        long nIn = weight.shape[0], nOut = weight.shape[1];
        var shape = x.shape.ToArray();
        shape[^1] = nOut;
        return bias.addmm(x.reshape(-1, nIn), weight).view(shape);
    }
}

/// <summary>How each query position may attend, shared by all blocks of one forward pass.</summary>
internal readonly record struct AttentionMasking(Tensor? Mask, bool Causal);

public sealed class Gpt2Attention : nn.Module
{
    readonly Gpt2Conv1D c_attn;
    readonly Gpt2Conv1D c_proj;
    readonly Dropout resid_dropout;
    readonly int _nHead;
    readonly double _attnPdrop;

    public Gpt2Attention(string name, Gpt2Config config) : base(name)
    {
        c_attn = new Gpt2Conv1D("c_attn", config.NEmbd, 3L * config.NEmbd);
        c_proj = new Gpt2Conv1D("c_proj", config.NEmbd, config.NEmbd);
        resid_dropout = nn.Dropout(config.ResidPdrop);
        _nHead = config.NHead;
        _attnPdrop = config.AttnPdrop;
        RegisterComponents();
    }

    public Gpt2Conv1D QkvProjection => c_attn;
    public Gpt2Conv1D OutputProjection => c_proj;

    internal Tensor Forward(Tensor x, AttentionMasking masking, Gpt2KeyValueCache? cache, int layer)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        long d = c / _nHead;
        var qkv = c_attn.forward(x).split(c, 2);
        var q = qkv[0].view(b, t, _nHead, d).transpose(1, 2);
        var k = qkv[1].view(b, t, _nHead, d).transpose(1, 2);
        var v = qkv[2].view(b, t, _nHead, d).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);

        double p = training ? _attnPdrop : 0.0;
        // SDPA scales by 1/sqrt(head_dim), as GPT-2 does (scale_attn_weights = true).
        var y = masking.Mask is null
            ? F.scaled_dot_product_attention(q, k, v, p: p, is_casual: masking.Causal)
            : F.scaled_dot_product_attention(q, k, v, attn_mask: masking.Mask, p: p);
        y = y.transpose(1, 2).contiguous().view(b, t, c);
        return resid_dropout.forward(c_proj.forward(y));
    }
}

public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    readonly Gpt2Conv1D c_fc;
    readonly Gpt2Conv1D c_proj;
    readonly Dropout dropout;

    public Gpt2Mlp(string name, Gpt2Config config) : base(name)
    {
        c_fc = new Gpt2Conv1D("c_fc", config.NEmbd, config.InnerDim);
        c_proj = new Gpt2Conv1D("c_proj", config.InnerDim, config.NEmbd);
        dropout = nn.Dropout(config.ResidPdrop);
        RegisterComponents();
    }

    public Gpt2Conv1D InputProjection => c_fc;
    public Gpt2Conv1D OutputProjection => c_proj;

    // GPT-2's "gelu_new" is the tanh approximation of GELU.
    public override Tensor forward(Tensor x) =>
        dropout.forward(c_proj.forward(F.gelu(c_fc.forward(x), GELU.Approximate.tanh)));
}

/// <summary>Pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(·)).</summary>
public sealed class Gpt2Block : nn.Module
{
    readonly LayerNorm ln_1;
    readonly Gpt2Attention attn;
    readonly LayerNorm ln_2;
    readonly Gpt2Mlp mlp;

    public Gpt2Block(string name, Gpt2Config config) : base(name)
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        attn = new Gpt2Attention("attn", config);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        mlp = new Gpt2Mlp("mlp", config);
        RegisterComponents();
    }

    public LayerNorm Ln1 => ln_1;
    public Gpt2Attention Attention => attn;
    public LayerNorm Ln2 => ln_2;
    public Gpt2Mlp Mlp => mlp;

    internal Tensor Forward(Tensor x, AttentionMasking masking, Gpt2KeyValueCache? cache, int layer)
    {
        var h = x + attn.Forward(ln_1.forward(x), masking, cache, layer);
        return h + mlp.forward(ln_2.forward(h));
    }
}
#pragma warning restore IDE1006
