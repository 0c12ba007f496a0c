namespace TracrInjection.Compiler.Assembly;

/// <summary>
/// Tracr mode (issue 11): an expression where the compiled model will disagree with RASP, found from the value sets by
/// the same checks that make fix mode repair it. <see cref="Message"/> says what goes wrong and the smallest input
/// value or length where it does; <see cref="Bug"/> is the spec §11 bug (B2, B3, B4, B6).
/// </summary>
public sealed record TracrDefect(string Label, string Bug, string Message)
{
    /// <summary>One line for a <c>warning:</c>: the label, the defect, where it bites, and the fix.</summary>
    public override string ToString() => $"{Label}: {Message} (tracr bug {Bug}; --fix-tracr-bugs repairs it)";
}
