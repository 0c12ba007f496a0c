using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Teaching;

/// <summary>
/// The compiled teacher's input for a batch of LM ids and how its positions line up with the LM's.
/// </summary>
/// <param name="CompiledIds">[B, 1 + W] compiled ids, BOS first.</param>
/// <param name="Mask">[B, T] float, 1 where an LM position has a teacher position; null: every position has one.</param>
public sealed record PreparedTeacherInput(Tensor CompiledIds, Tensor? Mask);
