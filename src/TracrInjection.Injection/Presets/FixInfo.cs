namespace TracrInjection.Injection.Presets;

/// <summary>One fix against the faithful setup, with its name in configs, metrics and on the command line.</summary>
public sealed record FixInfo(string Name, string Description);
