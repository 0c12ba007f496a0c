using System.Diagnostics;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Allocation;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler.Graph;
using TracrInjection.Compiler.Validation;
using TracrInjection.Rasp.Library;

namespace TracrInjection.Bench;

/// <summary>Where compile time goes, stage by stage, for one program (best of N).</summary>
public static class StageBenchmark
{
    public static int Run(string[] args)
    {
        string id = args.Length > 0 ? args[0] : "paper_count";
        int repeats = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3;
        var spec = ProgramRegistry.Get(id);
        var options = spec.Settings;
        // Warm up (tiered JIT) so the stages are timed in their optimised code.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalMilliseconds < 1500) RaspCompiler.Compile(spec.Build(), options);
        var best = new Dictionary<string, double>();
        var bytes = new Dictionary<string, long>();
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            void Lap(string name)
            {
                best[name] = Math.Min(best.GetValueOrDefault(name, double.MaxValue), sw.Elapsed.TotalMilliseconds);
                long now = GC.GetAllocatedBytesForCurrentThread();
                bytes[name] = now - allocated;
                allocated = GC.GetAllocatedBytesForCurrentThread();
                sw.Restart();
            }
            var program = spec.Build();
            Lap("build program");
            StaticValidator.Validate(program);
            Lap("static validation");
            var graph = RaspGraph.Extract(program);
            Lap("graph extraction");
            BasisInference.Infer(graph, options.Vocab, options.MaxSeqLen);
            Lap("basis inference");
            var builder = new CraftGraphBuilder(graph, options);
            builder.Build();
            Lap("craft blocks");
            var craft = CraftModel.Build(graph);
            Lap("allocation + combine");
            Assembler.Assemble(graph, craft, options, builder.CompensatedHeads, builder.Repairs);
            Lap("assembly");
        }
        Console.WriteLine($"{id}: best of {repeats} per stage");
        foreach (var (k, v) in best) Console.WriteLine($"  {k,-22} {v * 1000,10:0.0} µs {bytes[k],12:N0} B");
        Console.WriteLine($"  {"total",-22} {best.Values.Sum() * 1000,10:0.0} µs {bytes.Values.Sum(),12:N0} B");
        return 0;
    }
}
