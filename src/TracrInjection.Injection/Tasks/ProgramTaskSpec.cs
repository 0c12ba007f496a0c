using System.Text.Json;
using System.Text.Json.Serialization;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// A task made from any RASP program (<c>inject --program prog.rasp</c>): the program text itself (so a run folder is
/// self-contained), its vocabulary, the input lengths, the prompt template and which output positions form the
/// answer. Stored in the run's config.json as <c>InjectionOptions.Program</c>; <see cref="ProgramTask"/> is the
/// validated, runnable form.
/// </summary>
public sealed record ProgramTaskSpec
{
    /// <summary>Where the .rasp file was read from (full path): its display name, and where relative <c>load</c>s start.</summary>
    public required string Path { get; init; }
    /// <summary>The program text as read when the run was created.</summary>
    public required string Text { get; init; }
    /// <summary>Input tokens as text (Python <c>str</c> of each vocabulary value).</summary>
    public required IReadOnlyList<string> Vocab { get; init; }
    /// <summary>The vocabulary items are Python literals (ints, floats, True/False) rather than strings.</summary>
    public bool LiteralVocab { get; init; }
    /// <summary>Longest in-distribution input (the teacher is compiled for this many positions).</summary>
    public required int MaxLength { get; init; }
    /// <summary>Shortest input.</summary>
    public int MinLength { get; init; } = 1;
    /// <summary>Longest input of the <c>length_ood</c> split (lengths MaxLength+1 .. this); null = 2 × MaxLength.</summary>
    public int? OodMaxLength { get; init; }
    /// <summary>The prompt with exactly one <c>{input}</c>, for example <c>"Reverse: {input} ="</c>.</summary>
    public required string Template { get; init; }
    /// <summary><c>last</c>, <c>first</c>, <c>all</c> or a comma list of 0-based input positions (negative from the end).</summary>
    public string Answer { get; init; } = "last";
    public Gpt2TokenizerVariant Tokenizer { get; init; } = Gpt2TokenizerVariant.Standard;
    /// <summary>Compile (and evaluate) causally; null = the file's header.</summary>
    public bool? Causal { get; init; }

    /// <summary>The file's name without extension.</summary>
    [JsonIgnore] public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    [JsonIgnore] public int EffectiveOodMaxLength => OodMaxLength ?? 2 * MaxLength;

    private static readonly JsonSerializerOptions KeyJson = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A text that identifies these settings (for caches).</summary>
    public string Key() => JsonSerializer.Serialize(this, KeyJson);
}
