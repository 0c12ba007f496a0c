using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;

namespace TracrInjection.Compiler.Tests.Text;

/// <summary>
/// Every registered program has a <c>.rasp</c> twin in <c>examples/registry/&lt;id&gt;.rasp</c> whose header carries the
/// registered settings; compiled, the twin gives exactly the C# program's model: residual labels, layout, every weight.
/// </summary>
public class RaspTextRoundTripTests
{
    public static TheoryData<string> Ids() => new(ProgramRegistry.All.Select(p => p.Id));

    private static ProgramSpec TwinSpec(string id) =>
        RaspProgramText.ParseFile(ExamplesFolder.Path_("registry", id + ".rasp")).ToProgramSpec(id);

    [Fact]
    public void EveryRegistryTwinIsARegisteredProgram()
    {
        var files = Directory.GetFiles(ExamplesFolder.Path_("registry"), "*.rasp").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        var ids = ProgramRegistry.All.Select(p => p.Id).ToHashSet();
        Assert.Empty(ids.Except(files!));
        Assert.Empty(files.Except(ids));
    }

    [Theory, MemberData(nameof(Ids))]
    public void HeaderMatchesTheRegisteredSettings(string id)
    {
        var reg = ProgramRegistry.Get(id);
        var twin = TwinSpec(id);
        Assert.Equal(reg.Vocab, twin.Vocab);
        Assert.Equal(reg.Vocab.Select(v => v.TypeName), twin.Vocab.Select(v => v.TypeName));
        Assert.Equal(reg.MaxSeqLen, twin.MaxSeqLen);
        Assert.Equal(reg.Causal, twin.Causal);
        Assert.Equal(reg.MlpExactness, twin.MlpExactness);
        Assert.Equal(reg.CompilerBos, twin.CompilerBos);
        Assert.Equal(reg.CompilerPad, twin.CompilerPad);
    }

    [Theory, MemberData(nameof(Ids))]
    public void TwinCompilesToTheSameModel(string id)
    {
        var reg = ProgramRegistry.Get(id);
        var options = reg.Settings;
        var expected = RaspCompiler.Compile(reg.Build(), options);
        var actual = RaspCompiler.Compile(TwinSpec(id).Build(), options);
        AssertSameModel(expected, actual);
    }

    internal static void AssertSameModel(CompiledModel expected, CompiledModel actual)
    {
        Assert.Equal(expected.ResidualLabels, actual.ResidualLabels);
        Assert.Equal(expected.Config, actual.Config);
        Assert.Equal(expected.OutputLabel, actual.OutputLabel);
        Assert.Equal(expected.TokenVocabulary, actual.TokenVocabulary);
        Assert.Equal(expected.TokenDims, actual.TokenDims);
        Assert.Equal(expected.IndexDims, actual.IndexDims);
        Assert.Equal(expected.OutputDims, actual.OutputDims);
        Assert.Equal(expected.OutputValues, actual.OutputValues);
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int l = 0; l < expected.Layers.Count; l++)
        {
            var (e, a) = (expected.Layers[l], actual.Layers[l]);
            Assert.Equal(e.Heads.Count, a.Heads.Count);
            for (int h = 0; h < e.Heads.Count; h++)
            {
                var (eh, ah) = (e.Heads[h], a.Heads[h]);
                Assert.Equal(eh.Node, ah.Node);
                Assert.Equal(eh.QueryDims, ah.QueryDims);
                Assert.Equal(eh.KeyDims, ah.KeyDims);
                Assert.Equal(eh.ValueDims, ah.ValueDims);
                Assert.Equal(eh.OutputDims, ah.OutputDims);
                Assert.Equal(eh.WQk, ah.WQk);
                Assert.Equal(eh.WOv, ah.WOv);
            }
            Assert.Equal(e.Mlp is null, a.Mlp is null);
            if (e.Mlp is { } em && a.Mlp is { } am)
            {
                Assert.Equal(em.Nodes, am.Nodes);
                Assert.Equal(em.InputDims, am.InputDims);
                Assert.Equal(em.OutputDims, am.OutputDims);
                Assert.Equal(em.W1, am.W1);
                Assert.Equal(em.W2, am.W2);
            }
        }
        // tracr's padded parameter layout (what an exported model holds), for the models small enough to expand.
        if (expected.TracrParameterCount < 5_000_000)
        {
            var pe = TracrLayout.Parameters(expected);
            var pa = TracrLayout.Parameters(actual);
            Assert.Equal(pe.Keys.Order(), pa.Keys.Order());
            foreach (var (name, m) in pe) Assert.True(SameMatrix(m, pa[name]), $"parameter {name} differs");
        }
    }

    private static bool SameMatrix(float[,] a, float[,] b)
    {
        if (a.GetLength(0) != b.GetLength(0) || a.GetLength(1) != b.GetLength(1)) return false;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                if (BitConverter.SingleToInt32Bits(a[i, j]) != BitConverter.SingleToInt32Bits(b[i, j])) return false;
        return true;
    }
}
