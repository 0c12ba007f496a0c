
namespace TracrInjection.Injection.Alignment;

/// <summary>How the LM's hidden states are paired with the teacher's layer boundaries.</summary>
public enum LayerMappingMode
{
    /// <summary>Identity when the model is deep enough (the paper), packed otherwise.</summary>
    Auto,
    /// <summary>The paper: hidden_states[i] ↔ compiled residual after i layers, i = 0..L; detach-and-roll at block L.</summary>
    Identity,
    /// <summary>Teacher layers packed into LM blocks (one attention stage per block), for models shallower than the teacher.</summary>
    Packed,
}
