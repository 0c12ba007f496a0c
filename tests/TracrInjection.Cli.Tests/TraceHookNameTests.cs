using static TracrInjection.Cli.Tests.CliRunner;

namespace TracrInjection.Cli.Tests;

/// <summary>Issue 11, item 4 (part): <c>trace --json</c> names each capture point with TransformerLens's hook name.</summary>
public class TraceHookNameTests
{
    [Fact]
    public void EveryStageHasItsResidualHook()
    {
        var layers = Run("trace", "--program", "reverse", "--input", "a b c", "--json").Json().GetProperty("layers").EnumerateArray()
            .Select(l => (l.GetProperty("name").GetString(), l.GetProperty("hook").GetString())).ToList();
        Assert.Equal(("embed", "blocks.0.hook_resid_pre"), layers[0]);
        Assert.Equal(("layer_0/attn", "blocks.0.hook_resid_mid"), layers[1]);
        Assert.Equal(("layer_0/mlp", "blocks.0.hook_resid_post"), layers[2]);
        Assert.Equal(("layer_1/attn", "blocks.1.hook_resid_mid"), layers[3]);
        Assert.Equal(1 + 2 * (layers.Count / 2), layers.Count);
    }
}
