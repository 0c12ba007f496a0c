using TracrInjection.Compiler.Assembly;

namespace TracrInjection.Models.CompiledRuntime;

/// <summary>
/// A <see cref="CompiledModel"/> as a folder: <c>model.safetensors</c> with every weight at its own size and the
/// residual-column index tensors (<c>embed/token_dims</c>, <c>embed/index_dims</c>, <c>unembed/output_dims</c>,
/// <c>layer_0/attn/head_0/{query_dims,key_dims,w_qk,value_dims,output_dims,w_ov}</c>,
/// <c>layer_0/mlp/{input_dims,w_1,output_dims,w_2}</c>, <c>compression/w_emb</c>), and <c>config.json</c>
/// (<see cref="CompiledModelConfig"/>) with everything else. Weights are float32 (F32), indices I64. From format
/// version 2 a mostly-zero MLP matrix <c>w_1</c>/<c>w_2</c> is stored as compressed sparse rows
/// (<c>w_1.sparse_row_start</c> [rows + 1] and <c>w_1.sparse_columns</c> [nnz], I32; <c>w_1.sparse_values</c> [nnz], F32).
/// Writing is <see cref="CompiledModelWriter"/>'s (atomic), reading and checking <see cref="CompiledModelReader"/>'s.
/// </summary>
public static class CompiledModelStore
{
    public const string WeightsFileName = "model.safetensors";
    public const string ConfigFileName = "config.json";
    public const string Format = CompiledModelConfig.Format;
    public const int FormatVersion = CompiledModelConfig.FormatVersion;

    /// <summary>Writes <paramref name="model"/> to the folder <paramref name="directory"/> atomically.</summary>
    /// <param name="metadata">Free-form strings stored under <c>metadata</c> in config.json (e.g. the program id).</param>
    /// <param name="dense">Every weight dense (format version 1) instead of mostly-zero MLP matrices in compressed sparse rows.</param>
    public static void Save(CompiledModel model, string directory, IReadOnlyDictionary<string, string>? metadata = null, bool dense = false) =>
        CompiledModelWriter.Write(model, directory, metadata, dense);

    /// <summary>Reads and validates a folder written by <see cref="Save"/>.</summary>
    public static CompiledModel Load(string directory) => CompiledModelReader.Read(directory);

    /// <summary>The metadata strings stored with the model (empty when none).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string directory) => CompiledModelReader.ReadMetadata(directory);
}
