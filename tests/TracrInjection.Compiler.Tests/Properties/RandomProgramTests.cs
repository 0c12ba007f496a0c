using CsCheck;
using TracrInjection.Compiler.Verification;

namespace TracrInjection.Compiler.Tests.Properties;

/// <summary>
/// Issue 14's differential property on generated programs (<see cref="RandomPrograms"/>): a fix-mode model equals
/// the RASP evaluator wherever RASP has a value (numbers within 1e-6 + 1e-6 relative), or the position is flagged
/// by the averaging check. CI size: 60 programs × 10 inputs; <c>tracr-inject verify --random N</c> runs more.
/// </summary>
public class RandomProgramTests
{
    [Fact]
    public void FixModeIsNeverSilentlyWrong()
    {
        var counts = new DifferentialCounts();
        Gen.Int[0, 59].Sample(seed => Differential.Check(RandomPrograms.Generate(seed), fix: true,
            (m, ids) => ReferenceForward.Residuals(m, ids)[^1], 10, counts), iter: 60, seed: "0N0XIzNsQ0O2", threads: 1);
        Assert.True(counts.SilentInputs == 0, counts + "\n" + string.Join("\n", counts.Silent));
        Assert.True(counts.MaxNormalisedError <= 1, counts.ToString());
        Assert.True(counts.Programs - counts.CompileRejections >= 30, counts.ToString());
    }

    [Fact]
    public void GeneratorIsDeterministic() =>
        Assert.Equal(RandomPrograms.Generate(7).Text, RandomPrograms.Generate(7).Text);
}
