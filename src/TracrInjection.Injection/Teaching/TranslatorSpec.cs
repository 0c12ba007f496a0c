using TorchSharp;
using TracrInjection.Rasp.Values;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Teaching;

/// <summary>
/// The paper's mapping rules (<c>support_model/create_tokenizer_translator.py</c>): for every important token t and
/// every variation (t, " "+t, t+" ") that is a single language-model token, that token maps to the compiled token t;
/// custom pairs map an LM text to another compiled token (for example <c>:</c> → <c>compute</c>); everything else is
/// the fill-up token.
/// </summary>
/// <param name="ImportantTokens">Texts that map to the compiled token of the same text.</param>
/// <param name="CustomMapping">LM text → compiled token, applied after the important tokens (so it wins on conflicts).</param>
/// <param name="FillUpToken">Compiled token of every unmapped LM token (padding included).</param>
public sealed record TranslatorSpec(IReadOnlyList<string> ImportantTokens, IReadOnlyList<KeyValuePair<string, string>> CustomMapping, string FillUpToken)
{
    /// <summary>The paper's variations, tried in this order.</summary>
    public static IReadOnlyList<Func<string, string>> Variations { get; } = [t => t, t => " " + t, t => t + " "];

    public static IReadOnlyList<string> Digits { get; } = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>
    /// The compiled token of a text, where it is not the string itself (program tasks with int or bool vocabularies);
    /// null: every text is the compiled string token of the same text.
    /// </summary>
    public IReadOnlyDictionary<string, Value>? CompiledValue { get; init; }
}
