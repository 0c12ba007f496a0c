using System.Diagnostics;
using TracrInjection.Compiler;
using TracrInjection.Rasp.Library;

namespace TracrInjection.Bench;

/// <summary>
/// Time from RASP program to assembled weights for every registered program, against tracr's own times
/// (golden INDEX.md, column "compile s", measured on a 2-core machine like this one).
/// </summary>
public static class CompileBenchmark
{
    // tracr's compile_rasp_to_model wall times from shared/golden/INDEX.md (seconds); the Dyck-3 figure is the
    // issue's (max length 40).
    private static readonly Dictionary<string, double> TracrSeconds = new()
    {
        ["frac_prevs_1"] = 0.003, ["frac_prevs_2"] = 0.007, ["shift_by_one"] = 0.002, ["detect_pattern_a"] = 0.007,
        ["detect_pattern_ab"] = 0.008, ["reverse"] = 0.019, ["length_categorical"] = 0.013, ["pair_balance"] = 0.017,
        ["shuffle_dyck1"] = 0.097, ["shuffle_dyck2"] = 0.064, ["shuffle_dyck1_len16"] = 0.538, ["hist"] = 0.009,
        ["sort_unique_tokens"] = 0.009, ["sort_unique_rev_indices"] = 0.01, ["sort_tokens"] = 0.016,
        ["count_less_freq_categorical"] = 0.019, ["count_a"] = 0.019, ["nary_sequencemap_1"] = 0.025,
        ["frac_prevs_1_causal"] = 0.003, ["frac_prevs_3_causal"] = 0.007, ["shift_by_one_causal"] = 0.007,
        ["shift_by_two_causal"] = 0.002, ["detect_pattern_a_causal"] = 0.002, ["detect_pattern_abc_causal"] = 0.017,
        ["selector_width_causal"] = 0.014, ["itest_map"] = 0.002, ["itest_sequence_map"] = 0.007,
        ["itest_select_aggregate"] = 0.007, ["paper_int_sum"] = 183.789, ["paper_count"] = 52.633, ["paper_shuffle_dyck3"] = 221,
    };

    public static int Run(string[] args)
    {
        double budgetMs = args.Length > 0 && double.TryParse(args[0], out var b) ? b : 300;
        double warmMs = args.Length > 1 && double.TryParse(args[1], out var w) ? w : 5000;
        var specs = ProgramRegistry.All.ToList();

        // Cold: the first compile of every program in this process (the first one pays for JIT-compiling the compiler).
        var cold = new double[specs.Count];
        var models = new TracrInjection.Compiler.Assembly.CompiledModel[specs.Count];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < specs.Count; i++)
        {
            sw.Restart();
            models[i] = RaspCompiler.Compile(specs[i].Build(), specs[i].Settings);
            cold[i] = sw.Elapsed.TotalMilliseconds;
        }
        // Warm-up: .NET JIT-compiles in tiers (quick code first, optimised code after ~30 calls and a delay), so
        // the small programs, which take microseconds, are compiled round-robin until the optimised code is in
        // place; otherwise the first programs timed would measure the JIT rather than the compiler. Every timed run
        // below still compiles from a freshly built RASP program.
        var small = Enumerable.Range(0, specs.Count).Where(i => cold[i] < 10).ToList();
        var warm = Stopwatch.StartNew();
        int rounds = 0;
        while (warm.Elapsed.TotalMilliseconds < warmMs)
        {
            foreach (int i in small) RaspCompiler.Compile(specs[i].Build(), specs[i].Settings);
            rounds++;
        }

        Console.WriteLine($"Compile time, RASP → assembled weights: one cold run per program (the first includes JIT), {rounds} warm-up rounds ({warmMs} ms),");
        Console.WriteLine($"then repeated runs for ≥ {budgetMs} ms per program; speed-up = tracr's time / our mean");
        Console.WriteLine($"{"program",-32} {"width",6} {"layers",6} {"cold ms",9} {"runs",6} {"mean ms",9} {"min ms",9} {"tracr s",9} {"speed-up",9}");
        var speedups = new List<double>();
        for (int i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var model = models[i];
            var options = spec.Settings;
            int runs = 0;
            double min = double.MaxValue;
            var total = Stopwatch.StartNew();
            while (runs < 3 || total.Elapsed.TotalMilliseconds < budgetMs)
            {
                sw.Restart();
                RaspCompiler.Compile(spec.Build(), options);
                min = Math.Min(min, sw.Elapsed.TotalMilliseconds);
                runs++;
            }
            double mean = total.Elapsed.TotalMilliseconds / runs;
            string tracr = "", speedup = "";
            if (TracrSeconds.TryGetValue(spec.Id, out var t))
            {
                tracr = t.ToString("0.###");
                speedups.Add(t * 1000 / mean);
                speedup = $"{t * 1000 / mean:0}x";
            }
            Console.WriteLine($"{spec.Id,-32} {model.ResidualWidth,6} {model.Config.NumLayers,6} {cold[i],9:0.00} {runs,6} {mean,9:0.000} {min,9:0.000} {tracr,9} {speedup,9}");
        }
        if (speedups.Count > 0)
            Console.WriteLine($"speed-up over tracr (mean time): min {speedups.Min():0}x, median {speedups.Order().ElementAt(speedups.Count / 2):0}x, max {speedups.Max():0}x over {speedups.Count} programs");
        return 0;
    }
}
