namespace TracrInjection.Injection.LanguageEvaluation;

/// <summary>An accuracy over <see cref="Items"/> questions with a 95% normal-approximation half-width.</summary>
public sealed record Accuracy(int Correct, int Items)
{
    public double Value => Items == 0 ? double.NaN : (double)Correct / Items;
    public double HalfWidth95 => Items == 0 ? double.NaN : 1.96 * Math.Sqrt(Value * (1 - Value) / Items);
}

/// <summary>A perplexity over <see cref="Tokens"/> predicted tokens of one held-out file.</summary>
public sealed record HeldOutPerplexity(string File, double MeanLoss, long Tokens)
{
    public double Perplexity => Math.Exp(MeanLoss);
}

/// <summary>The retained-ability figures of one model under one tokenizer.</summary>
public sealed record LanguageAbility(string Tokenizer, IReadOnlyList<HeldOutPerplexity> Perplexity, Accuracy Cloze, Accuracy Choice);

/// <summary><c>lm-eval</c>'s result: the figures per tokenizer, and what they were measured on.</summary>
public sealed record LanguageEvaluationReport(string Model, IReadOnlyList<LanguageAbility> ByTokenizer, LanguageEvaluationSettings Settings);

public sealed record LanguageEvaluationSettings(int ClozePassages, int ChoiceItems, string CorpusHeldOutSha256, string? ProseHeldOutSha256);

/// <summary>The report's JSON form (snake_case, derived figures included), for scripts and run folders.</summary>
public static class LanguageEvaluationJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(LanguageEvaluationReport report) => System.Text.Json.JsonSerializer.Serialize(report, Options);

    public static void Save(LanguageEvaluationReport report, string path) => Models.AtomicFile.WriteAllText(path, Serialize(report) + "\n");

    public static LanguageEvaluationReport Load(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<LanguageEvaluationReport>(File.ReadAllText(path), Options)
        ?? throw new InvalidDataException($"'{path}' holds no language evaluation.");
}
