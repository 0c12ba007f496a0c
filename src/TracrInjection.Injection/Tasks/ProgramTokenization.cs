using System.Text;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Injection.Tasks;

/// <summary>How a program task's prompts tokenize: the input's first token index and the longest supervised text.</summary>
/// <param name="Offset">P: the LM position of the first input token (the number of prefix tokens).</param>
/// <param name="MaxTextTokens">Tokens of the longest in-distribution prompt plus answer.</param>
public sealed record ProgramTokenization(int Offset, int MaxTextTokens);
