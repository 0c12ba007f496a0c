using System.Collections.Concurrent;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Compiler;
using TracrInjection.Injection.Presets;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Values;

namespace TracrInjection.Injection.Tasks;

/// <summary>
/// One of the paper's three tasks, or a task made from any RASP program (<see cref="ForProgram"/>): its data, its
/// compiled teacher (the RASP program and compile settings), its tokenizer variant, its token translator and how the
/// teacher's positions align with the LM's, each as the <see cref="InjectionFixes"/> in force choose.
/// </summary>
public sealed class InjectionTask
{
    /// <summary>The name of the in-distribution test split in metrics.</summary>
    public const string InDistribution = "in_distribution";

    public InjectionTaskKind Kind { get; }
    /// <summary>Command-line name: sum, count, dyck.</summary>
    public string Name { get; }
    /// <summary>The paper's name: int-sum, count, dyck.</summary>
    public string PaperName { get; }
    /// <summary>Registry id of the teacher program (<see cref="ProgramRegistry"/>).</summary>
    public string ProgramId { get; }
    /// <summary>The paper's supervised max length in tokens (<c>utils/constants.py</c>): 15, 47, 37.</summary>
    public int PaperMaxLength { get; }
    /// <summary>The paper's OOD splits (<c>OOD_EVALS_BY_TASK</c>).</summary>
    public IReadOnlyList<string> PaperOodSplits { get; }
    public string Description { get; }
    /// <summary>The program task (<see cref="InjectionTaskKind.Program"/> only).</summary>
    public ProgramTask? Program { get; }
    /// <summary>How the program task's prompts tokenize under its own tokenizer (program tasks only).</summary>
    public ProgramTokenization? ProgramTokens { get; }

    private InjectionTask(InjectionTaskKind kind, string name, string paperName, string programId, int paperMaxLength,
        IReadOnlyList<string> ood, string description, ProgramTask? program = null, ProgramTokenization? tokens = null)
    {
        Kind = kind; Name = name; PaperName = paperName; ProgramId = programId; PaperMaxLength = paperMaxLength;
        PaperOodSplits = ood; Description = description; Program = program; ProgramTokens = tokens;
    }

    /// <summary>The prefix of the names of program tasks: <c>program:&lt;file stem&gt;</c>.</summary>
    public const string ProgramPrefix = "program:";

    private static readonly ConcurrentDictionary<string, Lazy<InjectionTask>> ProgramTasks = new(StringComparer.Ordinal);

    /// <summary>
    /// The task of a RASP program (checked, compiled and tokenized once per process and settings); every problem is an
    /// <see cref="ArgumentException"/> with a one-line message.
    /// </summary>
    public static InjectionTask ForProgram(ProgramTaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var lazy = ProgramTasks.GetOrAdd(spec.Key(), _ => new Lazy<InjectionTask>(() =>
        {
            var program = ProgramTask.Create(spec);
            var tokens = program.CheckTokenization(Gpt2Tokenizer.Create(spec.Tokenizer));
            return new InjectionTask(InjectionTaskKind.Program, ProgramPrefix + spec.Name, spec.Name, spec.Name, tokens.MaxTextTokens,
                ["length_ood"], $"RASP program {ProgramTask.DisplayName(spec.Path)}: answer {program.Answer.Text} of inputs of length " +
                $"{spec.MinLength}-{spec.MaxLength} over {{{string.Join(", ", program.VocabText)}}}", program, tokens);
        }));
        try
        {
            return lazy.Value;
        }
        catch
        {
            ProgramTasks.TryRemove(spec.Key(), out _); // a bad spec is not remembered
            throw;
        }
    }

    public static InjectionTask Sum { get; } = new(InjectionTaskKind.Sum, "sum", "int-sum", "paper_int_sum_3digit", 15,
        ["length_ood", "cascading_overflow", "decimals"], "integer addition 'a + b =' with a, b in [0, 450)");

    public static InjectionTask Count { get; } = new(InjectionTaskKind.Count, "count", "count", "paper_count", 47,
        ["x_only", "replace_y", "length_ood"], "count the x in a sequence of 5–40 x/y");

    public static InjectionTask Dyck { get; } = new(InjectionTaskKind.Dyck, "dyck", "dyck", "paper_shuffle_dyck3", 37,
        ["almost_balanced", "ood_new_token", "length_ood"], "shuffle-Dyck-3 recognition of 5–30 brackets");

    public static IReadOnlyList<InjectionTask> All { get; } = [Sum, Count, Dyck];

    /// <summary>sum / int-sum, count, dyck (case-insensitive); <see cref="ArgumentException"/> otherwise.</summary>
    public static InjectionTask Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "sum" or "int-sum" or "int_sum" => Sum,
            "count" => Count,
            "dyck" or "shuffle-dyck" or "shuffle_dyck" => Dyck,
            _ => throw new ArgumentException($"unknown task '{name}': use sum, count or dyck"),
        };
    }

    /// <summary>OOD splits evaluated under these fixes: the paper's, plus <c>length_ood_4digit</c> for sum with TrueLengthOod.</summary>
    public IReadOnlyList<string> OodSplits(InjectionFixes fixes) =>
        Kind == InjectionTaskKind.Sum && fixes.TrueLengthOod ? [.. PaperOodSplits, "length_ood_4digit"] : PaperOodSplits;

    /// <summary>The paper's tokenizer per task (§2.8); count switches to split digits with <see cref="InjectionFixes.CountSplitDigits"/>.</summary>
    public Gpt2TokenizerVariant TokenizerVariant(InjectionFixes fixes) => Kind switch
    {
        InjectionTaskKind.Sum => Gpt2TokenizerVariant.SplitDigits,
        InjectionTaskKind.Dyck => Gpt2TokenizerVariant.SplitBrackets,
        InjectionTaskKind.Program => Program!.Spec.Tokenizer,
        _ => fixes.CountSplitDigits ? Gpt2TokenizerVariant.SplitDigits : Gpt2TokenizerVariant.Standard,
    };

    /// <summary>Positions the teacher is compiled for: sum 16, count 120, dyck 40 (48 without truncation).</summary>
    public int TeacherMaxSeqLen(InjectionFixes fixes) => Kind switch
    {
        InjectionTaskKind.Sum => 16,
        InjectionTaskKind.Count => 120,
        InjectionTaskKind.Program => Program!.MaxLength,
        _ => fixes.NoTruncation ? 48 : 40,
    };

    /// <summary>The teacher's output variable (final_result).</summary>
    public static ResidualVariable OutputVariable(CompiledModel teacher) =>
        teacher.Variables.FirstOrDefault(v => v.Dims.SequenceEqual(teacher.OutputDims))
        ?? throw new InvalidOperationException($"the teacher has no variable on its output dims ({teacher.OutputLabel})");

    /// <summary>Builds the data of this task (deterministic for <see cref="TaskDataOptions.Seed"/>).</summary>
    public TaskDataset BuildData(TaskDataOptions options, InjectionFixes fixes) => new(this, options, fixes);

    /// <summary>The paper's pool size: every pair for sum, 2,000,000 for count, 1,000,000 for dyck.</summary>
    public int PaperPoolSize => Kind switch
    {
        InjectionTaskKind.Sum => SumTask.MaxInt * SumTask.MaxInt,
        InjectionTaskKind.Count => 2_000_000,
        InjectionTaskKind.Program => (int)Math.Min(ProgramTask.DefaultPoolSize, Program!.InputSpace),
        _ => 1_000_000,
    };

    /// <summary>The expected answer from the prompt alone, computed independently of the generators (for checks).</summary>
    public string Solve(string prompt) => Kind == InjectionTaskKind.Program ? Program!.Solve(prompt) : Solve(Kind, prompt);

    /// <summary>The expected answer of one of the paper's tasks from the prompt alone (for checks).</summary>
    public static string Solve(InjectionTaskKind kind, string prompt)
    {
        switch (kind)
        {
            case InjectionTaskKind.Sum:
            {
                var parts = prompt.TrimEnd('=', ' ').Split(" + ");
                if (parts[0].Contains('.'))
                {
                    decimal s = decimal.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + decimal.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                    return s.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
                }
                return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
                    .ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            case InjectionTaskKind.Count:
            {
                string seq = prompt[(prompt.IndexOf('?') + 1)..prompt.IndexOf('\n')];
                return seq.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(s => s == "x").ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            case InjectionTaskKind.Program:
                throw new ArgumentException("a program task's answers come from its program: use the task's own Solve(prompt)");
            default:
            {
                string term = prompt[(prompt.IndexOf('?') + 2)..prompt.IndexOf('\n')];
                var stacks = new Dictionary<char, int>();
                const string pairs = "()[]{}<>";
                foreach (char c in term)
                {
                    int k = pairs.IndexOf(c);
                    char key = pairs[k - k % 2];
                    stacks[key] = stacks.GetValueOrDefault(key) + (k % 2 == 0 ? 1 : -1);
                    if (stacks[key] < 0) return "no";
                }
                return stacks.Values.All(v => v == 0) ? "yes" : "no";
            }
        }
    }
}
