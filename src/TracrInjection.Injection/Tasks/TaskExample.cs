namespace TracrInjection.Injection.Tasks;

/// <summary>One item of a task: the prompt the model sees and the answer it must produce.</summary>
/// <param name="Prompt">For example <c>"213 + 391 ="</c>.</param>
/// <param name="Label">The answer without its leading space, for example <c>"604"</c>; the model must emit <c>" " + Label</c>.</param>
public sealed record TaskExample(string Prompt, string Label)
{
    /// <summary>The training text, the paper's <c>f"{prompt} {label}"</c>.</summary>
    public string Text => Prompt + " " + Label;

    /// <summary>What the model must generate after the prompt.</summary>
    public string Target => " " + Label;
}
