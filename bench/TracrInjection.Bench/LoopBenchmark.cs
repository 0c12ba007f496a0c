using System.Diagnostics;
using TracrInjection.Compiler;
using TracrInjection.Rasp.Library;

namespace TracrInjection.Bench;

/// <summary>Compiles the given programs round-robin for a while (a steady load for a profiler).</summary>
public static class LoopBenchmark
{
    public static int Run(string[] args)
    {
        double ms = args.Length > 0 && double.TryParse(args[0], out var b) ? b : 5000;
        var ids = args.Length > 1 ? args.Skip(1).ToArray() : ["shift_by_one"];
        var specs = ids.Select(ProgramRegistry.Get).ToArray();
        var options = specs.Select(s => s.Settings).ToArray();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        long runs = 0;
        while (total.Elapsed.TotalMilliseconds < ms)
        {
            for (int i = 0; i < specs.Length; i++) RaspCompiler.Compile(specs[i].Build(), options[i]);
            runs++;
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < specs.Length; i++) RaspCompiler.Compile(specs[i].Build(), options[i]);
        Console.WriteLine($"allocated per round: {GC.GetAllocatedBytesForCurrentThread() - before} bytes, gen0 GCs {GC.CollectionCount(0)}");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine($"{runs} rounds, {total.Elapsed.TotalMilliseconds * 1000 / runs:0.0} µs per round (wall), {cpu.TotalMilliseconds * 1000 / runs:0.0} µs CPU");
        return 0;
    }
}
