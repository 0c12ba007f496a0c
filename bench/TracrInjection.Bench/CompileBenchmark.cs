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
        int repeats = args.Length > 0 && int.TryParse(args[0], out var r) ? r : 5;
        Console.WriteLine($"Compile time, RASP → assembled weights (best of {repeats}; first run reported separately as it includes JIT)");
        Console.WriteLine($"{"program",-32} {"width",6} {"layers",6} {"first ms",10} {"best ms",10} {"tracr s",9} {"speed-up",10}");
        foreach (var spec in ProgramRegistry.All)
        {
            var options = CompilerOptions.For(spec);
            double first = 0, best = double.MaxValue;
            int width = 0, layers = 0;
            for (int i = 0; i < repeats; i++)
            {
                var sw = Stopwatch.StartNew();
                var model = RaspCompiler.Compile(spec.Build(), options);
                sw.Stop();
                width = model.ResidualWidth;
                layers = model.Config.NumLayers;
                if (i == 0) first = sw.Elapsed.TotalMilliseconds;
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            string tracr = TracrSeconds.TryGetValue(spec.Id, out var t) ? t.ToString("0.###") : "";
            string speedup = TracrSeconds.TryGetValue(spec.Id, out var t2) ? $"{t2 * 1000 / best:0}x" : "";
            Console.WriteLine($"{spec.Id,-32} {width,6} {layers,6} {first,10:0.0} {best,10:0.0} {tracr,9} {speedup,10}");
        }
        return 0;
    }
}
