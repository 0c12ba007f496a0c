
namespace TracrInjection.Injection.Tasks;

/// <summary>How a program task's prompts tokenize: the input's first token index and the longest supervised text.</summary>
/// <param name="Offset">P: the LM position of the first input token (the number of prefix tokens).</param>
/// <param name="MaxTextTokens">Tokens of the longest in-distribution prompt plus answer.</param>
public sealed record ProgramTokenization(int Offset, int MaxTextTokens);
