using TracrInjection.Compiler.Assembly;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Compiler.Verification;

/// <summary>What a differential run counted (positions where RASP gives None are don't-care, as in tracr's tests).</summary>
public sealed class DifferentialCounts
{
    public int Programs, CompileRejections, Inputs, RaspUndefinedInputs, MatchedInputs, FlaggedInputs, SilentInputs;
    public long Positions, MatchedPositions, FlaggedPositions, SilentPositions, NumericalPositions;
    public double MaxNumericalError;
    /// <summary>Largest |compiled − RASP| / (1e-6 + 1e-6·|RASP|) over numerical outputs: ≤ 1 is within the promise.</summary>
    public double MaxNormalisedError;
    public List<string> Silent { get; } = [];
    public Dictionary<string, int> Rejections { get; } = new(StringComparer.Ordinal);

    public override string ToString() =>
        $"programs {Programs} (compile rejections {CompileRejections}), inputs {Inputs} (RASP undefined {RaspUndefinedInputs}): " +
        $"matched {MatchedInputs}, flagged {FlaggedInputs}, silent disagreements {SilentInputs}; positions {Positions}: matched {MatchedPositions}, " +
        $"flagged {FlaggedPositions}, silent {SilentPositions}; numerical positions {NumericalPositions}, max numerical error {MaxNumericalError:G3}";
}

/// <summary>
/// The differential check of issue 14: a compiled model against the RASP evaluator on random inputs. A position
/// matches when the decoded value equals RASP's (numbers within 1e-6 absolute + 1e-6 relative), is flagged when
/// the averaging check (<see cref="AveragingCheck"/>) marks it, and is a silent disagreement otherwise.
/// </summary>
public static class Differential
{
    public const double AbsTolerance = 1e-6, RelTolerance = 1e-6;

    /// <summary>
    /// The decoded output (BOS excluded) with the rules of the model's mode: categorical argmax, in fix mode None
    /// below the presence threshold 0.5 (the runtime decoder's rule); numerical the value.
    /// </summary>
    public static Value[] DecodeOutput(CompiledModel m, float[,] x)
    {
        int t = x.GetLength(0);
        var r = new Value[Math.Max(0, t - 1)];
        for (int i = 1; i < t; i++)
        {
            if (m.OutputDims.Length == 0) { r[i - 1] = Value.None; continue; }
            if (!m.CategoricalOutput) { r[i - 1] = Value.Float(x[i, m.OutputDims[0]]); continue; }
            int best = 0;
            for (int k = 1; k < m.OutputDims.Length; k++) if (x[i, m.OutputDims[k]] > x[i, m.OutputDims[best]]) best = k;
            r[i - 1] = m.Options.FixTracrBugs && !(x[i, m.OutputDims[best]] >= 0.5f) ? Value.None : m.OutputValues[best];
        }
        return r;
    }

    /// <param name="forward">The final residual [T, D] (row 0 = BOS) of the model on token ids (BOS first).</param>
    public static void Check(RandomProgram p, bool fix, Func<CompiledModel, int[], float[,]> forward, int inputs, DifferentialCounts counts)
    {
        counts.Programs++;
        CompiledModel model;
        try
        {
            model = RaspCompiler.Compile(p.Program, p.Options(fix));
        }
        catch (CompilationException e)
        {
            counts.CompileRejections++;
            string reason = e.Message.Split('\n').Last();
            reason = reason[(reason.IndexOf(':') + 1)..].Trim();
            if (reason.Length > 70) reason = reason[..70];
            counts.Rejections[reason] = counts.Rejections.GetValueOrDefault(reason) + 1;
            return;
        }
        var rng = new Random(p.Seed ^ 0x5eed);
        for (int n = 0; n < inputs; n++)
        {
            int len = rng.Next(1, p.MaxSeqLen + 1);
            var input = Enumerable.Range(0, len).Select(_ => p.Vocab[rng.Next(p.Vocab.Count)]).ToArray();
            counts.Inputs++;
            Value[] expected;
            try { expected = RaspEvaluator.Evaluate(p.Program, input, p.Causal); }
            catch (Exception e) when (e is PyValueError or PyTypeError or PyArithmeticError)
            {
                counts.RaspUndefinedInputs++;
                continue;
            }
            var residual = forward(model, model.Encode(input));
            var actual = DecodeOutput(model, residual);
            var report = AveragingCheck.Check(model, residual);
            bool silent = false, flagged = false;
            for (int i = 0; i < expected.Length; i++)
            {
                var e = expected[i];
                if (e.IsNone) continue;
                counts.Positions++;
                var a = actual[i];
                bool ok;
                if (e.IsNumber && a.IsNumber)
                {
                    double err = Math.Abs(a.AsDouble - e.AsDouble);
                    ok = err <= AbsTolerance + RelTolerance * Math.Abs(e.AsDouble);
                    if (!model.CategoricalOutput && !report.Output[i])
                    {
                        counts.NumericalPositions++;
                        counts.MaxNumericalError = Math.Max(counts.MaxNumericalError, err);
                        counts.MaxNormalisedError = Math.Max(counts.MaxNormalisedError, err / (AbsTolerance + RelTolerance * Math.Abs(e.AsDouble)));
                    }
                }
                else ok = e.Equals(a);
                if (ok) counts.MatchedPositions++;
                else if (report.Output[i]) { counts.FlaggedPositions++; flagged = true; }
                else
                {
                    counts.SilentPositions++;
                    if (!silent && counts.Silent.Count < 20)
                        counts.Silent.Add($"{p.Text} | input [{string.Join(" ", input.Select(v => v.ToString()))}] position {i}: RASP {e.Repr()}, compiled {a.Repr()}");
                    silent = true;
                }
            }
            if (silent) counts.SilentInputs++;
            else if (flagged) counts.FlaggedInputs++;
            else counts.MatchedInputs++;
        }
    }
}
