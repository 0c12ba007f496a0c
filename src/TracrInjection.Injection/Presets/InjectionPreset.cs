namespace TracrInjection.Injection.Presets;

/// <summary>The two settings a run starts from: the authors' setup, quirks included, or every quirk fixed.</summary>
public enum InjectionPreset
{
    /// <summary>The authors' setup as paper.md describes it (§2–§3), quirks included.</summary>
    Paper,
    /// <summary>Every fix of paper.md §5.1 / §7 that this implementation offers (<see cref="InjectionFixes.All"/>).</summary>
    Improved,
}
