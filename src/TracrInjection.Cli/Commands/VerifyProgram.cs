using System.Diagnostics;
using System.Globalization;
using TracrInjection.Cli.Compilation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Rasp.Evaluation;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Commands;

/// <summary>
/// <c>verify (--program P | --model DIR) [--inputs N | --max-length L]</c> (issue 11): one compiled model against the
/// RASP evaluator on every input up to a length, or on N random inputs; prints the mismatch rate and the first
/// mismatches. A position where the compiled model flags an averaging aggregate counts as a finding too.
/// </summary>
public static class VerifyProgram
{
    /// <summary>Default exhaustive check: the longest length whose inputs number at most this many.</summary>
    public const long DefaultExhaustiveBudget = 10_000;
    public const long MaxExhaustive = 1_000_000;

    /// <summary>tracr's own comparison of compiled and RASP outputs (numbers within 1e-7 + 0.005·|RASP|).</summary>
    public static bool Agrees(Value rasp, Value compiled) =>
        rasp.IsNumber && compiled.IsNumber
            ? Math.Abs(compiled.AsDouble - rasp.AsDouble) <= 1e-7 + 0.005 * Math.Abs(rasp.AsDouble)
            : rasp.Equals(compiled);

    /// <summary>The program of a model folder: its recorded text, else its registered id, else its .rasp source file.</summary>
    public static SOp ProgramOf(string dir, IReadOnlyDictionary<string, string> meta)
    {
        if (meta.TryGetValue(ModelFolder.ProgramTextKey, out var text))
        {
            meta.TryGetValue("source", out var source);
            string? directory = source is not null && File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source)) : null;
            try
            {
                return RaspProgramText.Parse(text, source ?? "<model folder>", directory: directory).RequireOutput();
            }
            catch (RaspProgramException e)
            {
                throw new CliException($"model folder '{dir}': its recorded program text does not parse: {CliApp.OneLine(e.Message)}");
            }
        }
        if (meta.TryGetValue("program", out var id) && ProgramRegistry.TryGet(id, out var spec)) return spec.Build();
        if (meta.TryGetValue("source", out var file) && file.EndsWith(".rasp", StringComparison.OrdinalIgnoreCase) && File.Exists(file))
            return Compile.RaspFile(file).Build();
        throw new CliException($"model folder '{dir}' does not record its program (no program text, and program " +
                               $"{(meta.TryGetValue("program", out var p) ? $"'{p}' is not a registered id" : "is not named")}): " +
                               "verify it with --program ID|FILE.rasp instead");
    }

    public static int Run(CliContext ctx, LoadedModel loaded, SOp program, int? randomInputs, int? maxLength, int seed)
    {
        var model = loaded.Model;
        var vocab = model.Options.Vocab;
        bool causal = model.Options.Causal;
        List<Value[]> inputs;
        string what;
        if (randomInputs is int n)
        {
            if (n < 1) throw new CliException($"--inputs must be at least 1 (got {n})");
            int maxLen = maxLength ?? model.MaxSeqLen;
            var rng = new Random(seed);
            inputs = Enumerable.Range(0, n).Select(_ =>
                Enumerable.Range(0, rng.Next(1, maxLen + 1)).Select(_ => vocab[rng.Next(vocab.Count)]).ToArray()).ToList();
            what = $"{n} random inputs of lengths 1..{maxLen} (seed {seed})";
        }
        else
        {
            int len = maxLength ?? LongestWithin(vocab.Count, model.MaxSeqLen, DefaultExhaustiveBudget);
            long total = Count(vocab.Count, len);
            if (total > MaxExhaustive)
                throw new CliException($"--max-length {len} means {total:N0} inputs (more than {MaxExhaustive:N0}); give a smaller --max-length or --inputs N for random inputs");
            inputs = Enumerate(vocab, len).ToList();
            what = $"all {total:N0} inputs of lengths 1..{len}" + (maxLength is null && len < model.MaxSeqLen ? $" (max_seq_len {model.MaxSeqLen}; --max-length for more)" : "");
        }

        AveragingOutput.WarnCompileTime(ctx, model);
        var sw = Stopwatch.StartNew();
        var encoded = inputs.Select(i => Inputs.Encode(model, i, null)).ToList();
        int matched = 0, mismatched = 0, flagged = 0, undefined = 0;
        long positions = 0, positionMismatches = 0;
        var first = new List<string>();
        using (var runtime = new CompiledTransformer(model))
        {
            var decoder = new ResidualDecoder(model);
            foreach (var group in Enumerable.Range(0, inputs.Count).GroupBy(i => inputs[i].Length))
            {
                foreach (var chunk in group.Chunk(64))
                {
                    using var f = runtime.Forward(chunk.Select(i => encoded[i]).ToList(), captureStages: false);
                    for (int k = 0; k < chunk.Length; k++)
                    {
                        var input = inputs[chunk[k]];
                        Value[] expected;
                        try { expected = RaspEvaluator.Evaluate(program, input, causal); }
                        catch (Exception e) when (e is PyValueError or PyTypeError or PyArithmeticError)
                        {
                            undefined++;
                            continue;
                        }
                        var residual = CompiledForward.ToArray(f.Output, k);
                        var actual = decoder.DecodeOutput(residual);
                        var report = AveragingCheck.Check(model, residual);
                        bool bad = false, flag = false;
                        for (int p = 0; p < expected.Length; p++)
                        {
                            if (expected[p].IsNone) continue;
                            positions++;
                            bool averaging = p < report.Output.Length && report.Output[p];
                            if (!Agrees(expected[p], actual[p])) { bad = true; positionMismatches++; }
                            else if (averaging) flag = true;
                        }
                        if (bad)
                        {
                            mismatched++;
                            if (first.Count < 10)
                                first.Add($"mismatch: [{string.Join(" ", input.Select(v => v.ToString()))}]: RASP {string.Join(" ", expected.Select(v => v.ToString()))} | compiled {string.Join(" ", actual.Select(v => v.ToString()))}");
                        }
                        else if (flag)
                        {
                            flagged++;
                            if (first.Count < 10) first.Add($"flagged: [{string.Join(" ", input.Select(v => v.ToString()))}]: right, but flagged (a categorical aggregate averages)");
                        }
                        else matched++;
                    }
                }
            }
        }
        int checkedInputs = matched + mismatched + flagged;
        string Rate(long x, long of) => of == 0 ? "0%" : (100.0 * x / of).ToString(x == 0 ? "0" : "0.00", CultureInfo.InvariantCulture) + "%";
        ctx.Out.WriteLine($"verify {loaded.Source} ({(model.Options.FixTracrBugs ? "fix" : "tracr")} mode) against the RASP evaluator: {what} ({sw.Elapsed.TotalSeconds:0.0} s)");
        ctx.Out.WriteLine($"  inputs: {inputs.Count} (RASP undefined {undefined}): matches {matched}, mismatches {mismatched}, flagged but right {flagged}; " +
                          $"mismatch rate {Rate(mismatched, checkedInputs)}, findings {Rate(mismatched + flagged, checkedInputs)}");
        ctx.Out.WriteLine($"  positions with a RASP value: {positions}, mismatching {positionMismatches} ({Rate(positionMismatches, positions)})");
        foreach (var line in first) ctx.Out.WriteLine($"  {line}");
        if (mismatched + flagged > 0 && !model.Options.FixTracrBugs && model.TracrDefects.Count > 0)
            ctx.Out.WriteLine("  tracr mode: the warnings above say where; --fix-tracr-bugs repairs them");
        return mismatched + flagged > 0 ? 1 : CliApp.ExitOk;
    }

    private static long Count(int v, int len)
    {
        long total = 0, power = 1;
        for (int l = 1; l <= len; l++)
        {
            power = power > MaxExhaustive * 10 ? power : power * v;
            total += power;
            if (total > MaxExhaustive * 10) return total;
        }
        return total;
    }

    private static int LongestWithin(int v, int maxSeqLen, long budget)
    {
        int len = 1;
        while (len < maxSeqLen && Count(v, len + 1) <= budget) len++;
        return len;
    }

    private static IEnumerable<Value[]> Enumerate(IReadOnlyList<Value> vocab, int maxLen)
    {
        for (int len = 1; len <= maxLen; len++)
        {
            var idx = new int[len];
            while (true)
            {
                yield return idx.Select(i => vocab[i]).ToArray();
                int p = len - 1;
                while (p >= 0 && ++idx[p] == vocab.Count) idx[p--] = 0;
                if (p < 0) break;
            }
        }
    }
}
