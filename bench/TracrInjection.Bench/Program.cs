using TracrInjection.Bench;

// `dotnet run --project bench/TracrInjection.Bench -c Release -- compile [repeats]`
string which = args.Length > 0 ? args[0] : "compile";
return which switch
{
    "compile" => CompileBenchmark.Run(args.Skip(1).ToArray()),
    "stages" => StageBenchmark.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench compile [repeats] | stages <program-id> [repeats]");
    return 2;
}
