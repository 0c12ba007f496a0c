using System.Text.Json;
using System.Text.Json.Nodes;

namespace TracrInjection.Models.Gpt2;

/// <summary>
/// The GPT-2 hyper-parameters, read from and written to a Hugging Face <c>config.json</c>.
/// Fields this class does not model are kept and written back unchanged, so a load/save cycle does
/// not lose information another tool put there.
/// </summary>
public sealed record Gpt2Config
{
    public int NLayer { get; init; } = 12;
    public int NHead { get; init; } = 12;
    public int NEmbd { get; init; } = 768;
    public int NPositions { get; init; } = 1024;
    public int VocabSize { get; init; } = 50257;
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>MLP hidden width; HF's <c>n_inner</c>, null meaning 4 × n_embd.</summary>
    public int? NInner { get; init; }

    public double ResidPdrop { get; init; } = 0.1;
    public double EmbdPdrop { get; init; } = 0.1;
    public double AttnPdrop { get; init; } = 0.1;
    public double InitializerRange { get; init; } = 0.02;
    public int BosTokenId { get; init; } = 50256;
    public int EosTokenId { get; init; } = 50256;

    /// <summary>config.json fields not modelled above, written back as they were read.</summary>
    public JsonObject? ExtraFields { get; init; }

    public int HeadDim => NEmbd / NHead;
    public int InnerDim => NInner ?? 4 * NEmbd;

    /// <summary>GPT-2 small (124M), the shape of HF's "gpt2".</summary>
    public static Gpt2Config Small => new();

    /// <summary>GPT-2 large (774M), the model the paper injects into.</summary>
    public static Gpt2Config Large => new() { NLayer = 36, NHead = 20, NEmbd = 1280 };

    /// <summary>A tiny model for tests and demos on CPU.</summary>
    public static Gpt2Config Tiny(int vocabSize = 50257) => new()
    {
        NLayer = 2, NHead = 2, NEmbd = 16, NPositions = 64, VocabSize = vocabSize,
        ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0,
    };

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first invalid field.</summary>
    public void Validate(string? source = null)
    {
        string where = source is null ? "GPT-2 config" : $"GPT-2 config '{source}'";
        void Require(bool ok, string message)
        {
            if (!ok) throw new InvalidDataException($"{where}: {message}");
        }

        Require(NLayer > 0, $"n_layer must be positive (got {NLayer}).");
        Require(NHead > 0, $"n_head must be positive (got {NHead}).");
        Require(NEmbd > 0, $"n_embd must be positive (got {NEmbd}).");
        Require(NEmbd % NHead == 0, $"n_embd ({NEmbd}) must be divisible by n_head ({NHead}).");
        Require(NPositions > 0, $"n_positions must be positive (got {NPositions}).");
        Require(VocabSize > 0, $"vocab_size must be positive (got {VocabSize}).");
        Require(NInner is null || NInner > 0, $"n_inner must be positive or null (got {NInner}).");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), $"layer_norm_epsilon must be a positive number (got {LayerNormEpsilon}).");
        foreach (var (name, p) in new[] { ("resid_pdrop", ResidPdrop), ("embd_pdrop", EmbdPdrop), ("attn_pdrop", AttnPdrop) })
            Require(p >= 0 && p < 1, $"{name} must be in [0, 1) (got {p}).");

        // These HF options change the network; refusing them beats silently computing something else.
        if (ExtraFields is not null)
        {
            string? modelType = StringField(ExtraFields, "model_type");
            Require(modelType is null || modelType == "gpt2", $"model_type is '{modelType}', only 'gpt2' is supported.");
            string? act = StringField(ExtraFields, "activation_function");
            Require(act is null || act is "gelu_new" or "gelu_pytorch_tanh",
                $"activation_function '{act}' is not supported (GPT-2 uses the tanh GELU, 'gelu_new').");
            foreach (var flag in new[] { "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn", "add_cross_attention" })
                Require(!BoolField(ExtraFields, flag), $"{flag} = true is not supported.");
            Require(ExtraFields["scale_attn_weights"] is null || BoolField(ExtraFields, "scale_attn_weights"),
                "scale_attn_weights = false is not supported.");
            Require(ExtraFields["tie_word_embeddings"] is null || BoolField(ExtraFields, "tie_word_embeddings"),
                "tie_word_embeddings = false is not supported (GPT-2 ties its input and output embeddings).");
        }
    }

    static readonly string[] ModelledKeys =
    {
        "n_layer", "n_head", "n_embd", "n_positions", "vocab_size", "layer_norm_epsilon", "n_inner",
        "resid_pdrop", "embd_pdrop", "attn_pdrop", "initializer_range", "bos_token_id", "eos_token_id",
        "n_ctx", // legacy alias of n_positions, rewritten from NPositions on save
    };

    public static Gpt2Config Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"GPT-2 config not found: '{path}'.", path);
        }
        return FromJson(text, path);
    }

    public static Gpt2Config FromJson(string json, string? source = null)
    {
        string where = source is null ? "GPT-2 config" : $"GPT-2 config '{source}'";
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{where}: top level is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{where}: invalid JSON ({ex.Message}).", ex);
        }

        int Int(string key, int fallback, bool required = false)
        {
            var node = obj[key];
            if (node is null)
            {
                if (required) throw new InvalidDataException($"{where}: required field '{key}' is missing.");
                return fallback;
            }
            try { return node.GetValue<int>(); }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{where}: field '{key}' must be an integer (got {node.ToJsonString()}).", ex);
            }
        }
        double Dbl(string key, double fallback)
        {
            var node = obj[key];
            if (node is null) return fallback;
            try { return node.GetValue<double>(); }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{where}: field '{key}' must be a number (got {node.ToJsonString()}).", ex);
            }
        }

        var extra = new JsonObject();
        foreach (var (key, value) in obj)
            if (Array.IndexOf(ModelledKeys, key) < 0)
                extra[key] = value?.DeepClone();

        var defaults = new Gpt2Config();
        var config = new Gpt2Config
        {
            NLayer = Int("n_layer", 0, required: true),
            NHead = Int("n_head", 0, required: true),
            NEmbd = Int("n_embd", 0, required: true),
            NPositions = Int("n_positions", defaults.NPositions),
            VocabSize = Int("vocab_size", 0, required: true),
            LayerNormEpsilon = Dbl("layer_norm_epsilon", defaults.LayerNormEpsilon),
            NInner = obj["n_inner"] is null ? null : Int("n_inner", 0),
            ResidPdrop = Dbl("resid_pdrop", defaults.ResidPdrop),
            EmbdPdrop = Dbl("embd_pdrop", defaults.EmbdPdrop),
            AttnPdrop = Dbl("attn_pdrop", defaults.AttnPdrop),
            InitializerRange = Dbl("initializer_range", defaults.InitializerRange),
            BosTokenId = Int("bos_token_id", defaults.BosTokenId),
            EosTokenId = Int("eos_token_id", defaults.EosTokenId),
            ExtraFields = extra,
        };
        config.Validate(source);
        return config;
    }

    public string ToJson()
    {
        var obj = new JsonObject
        {
            ["activation_function"] = "gelu_new",
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["attn_pdrop"] = AttnPdrop,
            ["bos_token_id"] = BosTokenId,
            ["embd_pdrop"] = EmbdPdrop,
            ["eos_token_id"] = EosTokenId,
            ["initializer_range"] = InitializerRange,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["model_type"] = "gpt2",
            ["n_ctx"] = NPositions,
            ["n_embd"] = NEmbd,
            ["n_head"] = NHead,
            ["n_inner"] = NInner,
            ["n_layer"] = NLayer,
            ["n_positions"] = NPositions,
            ["resid_pdrop"] = ResidPdrop,
            ["vocab_size"] = VocabSize,
        };
        if (ExtraFields is not null)
            foreach (var (key, value) in ExtraFields)
                if (key is not ("model_type" or "architectures"))
                    obj[key] = value?.DeepClone();
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes config.json atomically (temp file in the same folder, then rename).</summary>
    public void Save(string path)
    {
        Validate(path);
        AtomicFile.WriteAllText(path, ToJson() + "\n");
    }

    static string? StringField(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static bool BoolField(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
