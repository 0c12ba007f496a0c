
namespace TracrInjection.Injection.Evaluation;

public sealed record DecodabilityMetrics(IReadOnlyList<int> HiddenStates, IReadOnlyList<int> TeacherLayers,
    IReadOnlyDictionary<string, double?[]> Variables, double MeanAtLastLayer, double TeacherAccuracy, int Items, int Positions);
