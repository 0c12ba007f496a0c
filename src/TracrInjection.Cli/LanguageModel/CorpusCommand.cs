using System.CommandLine;
using TracrInjection.Injection.Corpus;

namespace TracrInjection.Cli.LanguageModel;

/// <summary><c>corpus [--out DIR]</c>: builds the pretraining corpus from the installed Debian packages.</summary>
public static class CorpusCommand
{
    public static Command Create(LanguageModelIO io)
    {
        var output = new Option<string?>("--out", "-o") { Description = "Output folder (default: data/corpus of the repository).", HelpName = "DIR" };
        var heldOut = new Option<int>("--heldout-per-10000") { Description = "Share of documents held out, per ten thousand.", DefaultValueFactory = _ => 100 };
        var command = new Command("corpus",
            "Build the English pretraining corpus (train.txt, heldout.txt, manifest.json) from Debian packages: " +
            string.Join(", ", CorpusBuilder.DefaultPackages()) + ".") { output, heldOut };
        command.SetAction(parse => LanguageModelCommands.Guard(io, () =>
        {
            string dir = parse.GetValue(output) ?? CorpusFiles.DefaultDirectory();
            int per = parse.GetValue(heldOut);
            if (per is < 1 or > 5000) throw new ArgumentException("--heldout-per-10000 must be in 1..5000.");
            var result = CorpusBuilder.Build(dir, new CorpusBuildOptions { HeldOutPerTenThousand = per }, io.Out.WriteLine);
            io.Out.WriteLine($"{result.Train.FileName}: {result.Train.Documents} documents, {result.Train.Bytes:N0} bytes, sha256 {result.Train.Sha256}");
            foreach (var held in result.HeldOutFiles)
                io.Out.WriteLine($"{held.FileName}: {held.Documents} documents, {held.Bytes:N0} bytes, sha256 {held.Sha256}");
            io.Out.WriteLine($"{result.DuplicatesRemoved} duplicate documents removed; written to {dir}");
            return LanguageModelCommands.ExitOk;
        }));
        return command;
    }
}
