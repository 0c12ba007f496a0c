using System.CommandLine;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Cli.Compilation;

/// <summary>
/// The input flags of <c>run</c> and <c>trace</c>: <c>--input "t1 t2"</c> and <c>--inputs FILE</c> are always
/// whitespace-separated tokens (a line starting with <c>[</c> is a Dyck word, not JSON); <c>--input-json '["1", " ", "+"]'</c>
/// and <c>--inputs-jsonl FILE</c> (one JSON array per line) carry tokens that are or contain spaces.
/// </summary>
public sealed class InputOptions
{
    readonly bool _files;

    public InputOptions(bool files)
    {
        _files = files;
        Input = new("--input", "-i")
        {
            Description = "One input sequence: whitespace-separated tokens, without BOS (e.g. \"a b c\" or \"[ ( ] )\").",
            HelpName = "TOKENS",
        };
        InputJson = new("--input-json")
        {
            Description = "One input sequence as a JSON array of tokens, for tokens that are or contain spaces (e.g. '[\"1\", \" \", \"+\"]').",
            HelpName = "JSON",
        };
        if (!files) return;
        InputsFile = new("--inputs") { Description = "A file with one whitespace-separated sequence per line (blank lines are skipped).", HelpName = "FILE" };
        InputsJsonl = new("--inputs-jsonl") { Description = "A file with one JSON array of tokens per line (blank lines are skipped).", HelpName = "FILE" };
    }

    public Option<string> Input { get; }
    public Option<string> InputJson { get; }
    public Option<string>? InputsFile { get; }
    public Option<string>? InputsJsonl { get; }

    IEnumerable<Option<string>> All => new[] { Input, InputJson, InputsFile, InputsJsonl }.OfType<Option<string>>();

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The sequences, each with its location for messages (<c>null</c> for a single command-line input).</summary>
    public IReadOnlyList<(string? Where, Value[] Tokens)> Read(ParseResult parse)
    {
        var given = All.Where(o => parse.GetResult(o) is { Implicit: false }).ToList();
        string names = string.Join(" or ", All.Select(o => o.Name));
        if (given.Count > 1) throw new CliException($"give one of {names}, not {string.Join(" and ", given.Select(o => o.Name))}");
        if (given.Count == 0) throw new CliException(_files ? $"give --input \"t1 t2 ...\" or one of {names}" : $"give --input \"t1 t2 ...\" or --input-json '[\"t1\", ...]'");
        var option = given[0];
        string value = parse.GetValue(option) ?? "";
        if (option == Input) return [(null, Inputs.Split(value))];
        if (option == InputJson) return [(null, Inputs.ParseJson(value, "--input-json"))];
        if (string.IsNullOrWhiteSpace(value)) throw new CliException($"{option.Name} needs a file name");
        var lines = option == InputsFile ? Inputs.ReadFile(value) : Inputs.ReadJsonLines(value);
        return lines.Select(l => ((string?)$"{value}:{l.Line}", l.Tokens)).ToList();
    }
}
