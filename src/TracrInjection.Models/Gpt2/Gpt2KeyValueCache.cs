using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Models.Gpt2;

/// <summary>
/// Keys and values of every layer for the positions already processed, so a decoding step only
/// runs the new tokens through the network. Buffers are preallocated and written in place, so
/// appending a token copies only that token's keys and values (no re-concatenation of the past);
/// capacity doubles when exceeded. Meant for inference under <c>torch.no_grad()</c>.
/// </summary>
public sealed class Gpt2KeyValueCache : IDisposable
{
    readonly Tensor?[] _keys;
    readonly Tensor?[] _values;
    readonly int _nHead;
    readonly int _headDim;
    int _pending = -1;

    /// <summary>Number of positions (per sequence, including padding) already cached.</summary>
    public int Length { get; private set; }
    public int Capacity { get; private set; }
    public long BatchSize { get; }

    public Gpt2KeyValueCache(Gpt2Config config, long batchSize, int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1L);
        _keys = new Tensor?[config.NLayer];
        _values = new Tensor?[config.NLayer];
        _nHead = config.NHead;
        _headDim = config.HeadDim;
        BatchSize = batchSize;
        Capacity = Math.Max(1, initialCapacity);
    }

    /// <summary>Stores this step's keys/values for <paramref name="layer"/> and returns all cached ones.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        int t = (int)k.shape[2];
        if (k.shape[0] != BatchSize)
            throw new ArgumentException($"KV cache was made for batch size {BatchSize}, got {k.shape[0]}.");
        if (_pending >= 0 && _pending != t)
            throw new InvalidOperationException("All layers of one forward pass must append the same number of positions.");
        _pending = t;

        int needed = Length + t;
        Ensure(layer, needed, k);
        using (no_grad())
        {
            _keys[layer]!.narrow(2, Length, t).copy_(k);
            _values[layer]!.narrow(2, Length, t).copy_(v);
        }
        return (_keys[layer]!.narrow(2, 0, needed), _values[layer]!.narrow(2, 0, needed));
    }

    /// <summary>Called by the model once every layer has appended: the new positions become past.</summary>
    internal void Commit()
    {
        if (_pending < 0) return;
        Length += _pending;
        _pending = -1;
    }

    /// <summary>Drops the positions appended by a forward pass that failed part-way.</summary>
    internal void Abort() => _pending = -1;

    void Ensure(int layer, int needed, Tensor like)
    {
        var current = _keys[layer];
        if (current is not null && current.shape[2] >= needed) return;

        int newCapacity = Capacity;
        while (newCapacity < needed) newCapacity *= 2;
        Capacity = Math.Max(Capacity, newCapacity);
        int cap = Math.Max(newCapacity, current is null ? 0 : (int)current.shape[2]);

        // Buffers outlive the caller's dispose scope; the cache disposes them.
        var k = torch.zeros(new long[] { BatchSize, _nHead, cap, _headDim }, like.dtype, like.device).DetachFromDisposeScope();
        var v = torch.zeros(new long[] { BatchSize, _nHead, cap, _headDim }, like.dtype, like.device).DetachFromDisposeScope();
        if (current is not null && Length > 0)
        {
            using (no_grad())
            {
                k.narrow(2, 0, Length).copy_(current.narrow(2, 0, Length));
                v.narrow(2, 0, Length).copy_(_values[layer]!.narrow(2, 0, Length));
            }
        }
        current?.Dispose();
        _values[layer]?.Dispose();
        _keys[layer] = k;
        _values[layer] = v;
    }

    public void Dispose()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
    }
}
