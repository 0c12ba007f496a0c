using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Teaching;

/// <summary>
/// Language-model token ids → compiled-model token ids, as one precomputed table over the whole LM vocabulary: a
/// translation is a single <c>index_select</c> plus the compiled BOS column in front (the compiled residual at
/// position p+1 aligns with LM position p).
/// </summary>
public sealed class TokenTranslator : IDisposable
{
    private readonly long[] _table;
    private readonly Dictionary<Device, Tensor> _tensors = new();

    public TranslatorSpec Spec { get; }
    public int LmVocabSize => _table.Length;
    public int BosId { get; }
    public int FillUpId { get; }
    /// <summary>LM token id → compiled token id, for the ids that are not the fill-up.</summary>
    public IReadOnlyDictionary<int, int> Mapping { get; }

    public TokenTranslator(TranslatorSpec spec, Gpt2Tokenizer tokenizer, CompiledModel compiled, int? lmVocabSize = null)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(compiled);
        int vocab = lmVocabSize ?? tokenizer.VocabSize;
        BosId = compiled.BosId;
        FillUpId = spec.FillUpToken == compiled.Options.CompilerPad ? compiled.PadId
            : CompiledId(compiled, spec.FillUpToken) ?? throw new ArgumentException($"fill-up token '{spec.FillUpToken}' is not in the compiled vocabulary");
        _table = new long[vocab];
        Array.Fill(_table, FillUpId);
        var mapping = new Dictionary<int, int>();
        void Map(string lmText, string compiledToken)
        {
            var value = spec.CompiledValue is { } values && values.TryGetValue(compiledToken, out var v) ? v : Value.Str(compiledToken);
            if (CompiledId(compiled, value) is not { } target) return; // output_tokenizer.tokenize(...) is not one token
            foreach (var variation in TranslatorSpec.Variations)
            {
                var ids = tokenizer.Encode(variation(lmText));
                if (ids.Length != 1 || ids[0] >= vocab) continue;
                _table[ids[0]] = target;
                mapping[ids[0]] = target;
            }
        }
        foreach (var t in spec.ImportantTokens) Map(t, t);
        foreach (var (from, to) in spec.CustomMapping) Map(from, to);
        Mapping = mapping;
    }

    private static int? CompiledId(CompiledModel compiled, string token) => CompiledId(compiled, Value.Str(token));

    private static int? CompiledId(CompiledModel compiled, Value token)
    {
        if (token.Equals(Value.Str(compiled.Options.CompilerBos)) || token.Equals(Value.Str(compiled.Options.CompilerPad))) return null;
        int id = compiled.IndexOfToken(token);
        return id < 0 ? null : id;
    }

    /// <summary>Compiled id of one LM token id.</summary>
    public int this[int lmTokenId] => (int)_table[lmTokenId];

    /// <summary>The table as an int64 tensor [vocab] on <paramref name="device"/> (cached).</summary>
    public Tensor Table(Device device)
    {
        lock (_tensors)
        {
            if (!_tensors.TryGetValue(device, out var t))
            {
                t = tensor(_table, [_table.Length], ScalarType.Int64).to(device).DetachFromDisposeScope();
                _tensors[device] = t;
            }
            return t;
        }
    }

    /// <summary>LM ids [B, T] → compiled ids [B, T + 1] with the compiled BOS at position 0.</summary>
    public Tensor Translate(Tensor lmIds)
    {
        if (lmIds.dim() != 2) throw new ArgumentException($"token ids must be [batch, time], got [{string.Join(", ", lmIds.shape)}]");
        using var scope = NewDisposeScope();
        var ids = lmIds.to_type(ScalarType.Int64);
        var table = Table(ids.device);
        var translated = table.index_select(0, ids.flatten()).view(ids.shape[0], ids.shape[1]);
        var bos = full([ids.shape[0], 1], (long)BosId, ScalarType.Int64, ids.device);
        return cat([bos, translated], 1).MoveToOuterDisposeScope();
    }

    /// <summary>LM ids of one sequence → compiled ids (BOS first), for inspection and tests.</summary>
    public int[] TranslateIds(IReadOnlyList<int> lmIds)
    {
        var r = new int[lmIds.Count + 1];
        r[0] = BosId;
        for (int i = 0; i < lmIds.Count; i++) r[i + 1] = (int)_table[lmIds[i]];
        return r;
    }

    public void Dispose()
    {
        lock (_tensors)
        {
            foreach (var t in _tensors.Values) t.Dispose();
            _tensors.Clear();
        }
    }
}
