using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>
/// Decodability of every RASP variable at every aligned layer: the variable read from adapter(h_j) (argmax over its
/// one-hot directions; numerical variables: their single direction) against the teacher's own reading of its residual
/// after the aligned number of layers, over the real token positions of test items (training text with the answer).
/// A variable counts at a layer only once the teacher has written it (null before). <see cref="TeacherAccuracy"/> is
/// the compiled model's own accuracy on the task (its final_result at the answer positions against the answer tokens).
/// </summary>
public sealed record DecodabilityResult(
    IReadOnlyList<int> HiddenIndices,
    IReadOnlyList<int> CompiledLayers,
    IReadOnlyDictionary<string, double?[]> Variables,
    double TeacherAccuracy,
    int Items,
    int Positions);
