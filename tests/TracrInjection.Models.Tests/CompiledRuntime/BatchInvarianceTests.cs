using CsCheck;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Verification;
using TracrInjection.Models.CompiledRuntime;

namespace TracrInjection.Models.Tests.CompiledRuntime;

/// <summary>Issue 14: a sequence's residuals do not depend on the rest of its batch (bit for bit, both modes).</summary>
public class BatchInvarianceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchEqualsEachInputAlone(bool fix)
    {
        int batches = 0;
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[2, 8], Gen.Int).Sample((seed, size, inputSeed) =>
        {
            var p = RandomPrograms.Generate(seed);
            Compiler.Assembly.CompiledModel model;
            try { model = RaspCompiler.Compile(p.Program, p.Options(fix)); }
            catch (CompilationException) { return; }
            var rng = new Random(inputSeed);
            int len = rng.Next(1, p.MaxSeqLen + 1);
            var rows = Enumerable.Range(0, size).Select(_ => model.Encode(Enumerable.Range(0, len).Select(_ => p.Vocab[rng.Next(p.Vocab.Count)]).ToArray())).ToList();
            using var runtime = new CompiledTransformer(model);
            using var batch = runtime.Forward(rows, captureStages: false);
            for (int r = 0; r < size; r++)
            {
                using var single = runtime.Forward([rows[r]], captureStages: false);
                var a = CompiledForward.ToArray(batch.Output, r);
                var e = CompiledForward.ToArray(single.Output, 0);
                for (int i = 0; i < a.GetLength(0); i++)
                    for (int j = 0; j < a.GetLength(1); j++)
                        Assert.Equal(BitConverter.SingleToInt32Bits(e[i, j]), BitConverter.SingleToInt32Bits(a[i, j]));
            }
            batches++;
        }, iter: 40, seed: "0N0XIzNsQ0O2", threads: 1);
        Assert.True(batches >= 20);
    }
}
