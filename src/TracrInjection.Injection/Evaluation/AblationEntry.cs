
namespace TracrInjection.Injection.Evaluation;

public sealed record AblationEntry(string Name, bool On, string Description);
