using TracrInjection.Bench;

// `dotnet run --project bench/TracrInjection.Bench -c Release -- compile [budget-ms [warm-up-ms]] | stages <id> [repeats] | loop <ms> <id>... | lm | inject`
string which = args.Length > 0 ? args[0] : "compile";
return which switch
{
    "compile" => CompileBenchmark.Run(args.Skip(1).ToArray()),
    "stages" => StageBenchmark.Run(args.Skip(1).ToArray()),
    "loop" => LoopBenchmark.Run(args.Skip(1).ToArray()),
    "lm" => LanguageModelBenchmark.Run(args.Skip(1).ToArray()),
    "inject" => InjectionBenchmark.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench compile [budget-ms [warm-up-ms]] | stages <program-id> [repeats] | loop <ms> <program-id>... | lm | inject");
    return 2;
}
