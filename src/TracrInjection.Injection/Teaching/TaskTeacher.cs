using System.Collections.Concurrent;
using TracrInjection.Compiler;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Tokenization;
using TracrInjection.Rasp.Expressions;
using TracrInjection.Rasp.Library;

namespace TracrInjection.Injection.Teaching;

/// <summary>
/// A task's teacher: its RASP program compiled (once per process and settings) and the translation of LM tokens into
/// the compiled model's tokens. Extension methods so that a task reads <c>task.Teacher(n)</c> while the task
/// definitions themselves stay free of compiled models and translators (the method's first stage).
/// </summary>
public static class TaskTeacher
{
    /// <summary>The paper's translator table (§2.3), with <c>=</c>/<c>+</c> mapped for sum under <see cref="InjectionFixes.MapOperators"/>.</summary>
    public static TranslatorSpec Translator(this InjectionTask task, InjectionFixes fixes) => task.Kind switch
    {
        InjectionTaskKind.Sum => fixes.MapOperators
            ? new TranslatorSpec(TranslatorSpec.Digits, [new("+", "+"), new("=", "=")], " ")
            : new TranslatorSpec(TranslatorSpec.Digits, [], "+"),
        InjectionTaskKind.Count => new TranslatorSpec([.. TranslatorSpec.Digits, "x"], [new(":", "count"), new("x", "yes")], "no"),
        // Program tasks: each input token's LM forms map to its compiled token, everything else to the compiler's pad.
        InjectionTaskKind.Program => new TranslatorSpec(task.Program!.VocabText, [], task.Program.Program.CompilerPad)
        {
            CompiledValue = task.Program.VocabText.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => task.Program.Vocab[x.i], StringComparer.Ordinal),
        },
        _ => new TranslatorSpec(["(", ")", "[", "]", "{", "}"], [new(":", "compute")], " "),
    };

    /// <summary>Compile settings of the teacher: the registered program's, at <paramref name="maxSeqLen"/> positions.</summary>
    public static CompilerOptions TeacherOptions(this InjectionTask task, int maxSeqLen, bool fixTracrBugs = false)
    {
        if (task.Kind == InjectionTaskKind.Program) return task.Program!.Program.Settings with { MaxSeqLen = maxSeqLen, FixTracrBugs = fixTracrBugs };
        var spec = ProgramRegistry.Get(task.ProgramId);
        return spec.Settings with
        {
            FixTracrBugs = fixTracrBugs,
            Vocab = task.Kind == InjectionTaskKind.Count ? PaperPrograms.CountVocab(maxSeqLen) : spec.Vocab,
            MaxSeqLen = maxSeqLen,
        };
    }

    /// <summary>The teacher program, built as a fresh Python process would (labels from 1).</summary>
    public static SOp BuildProgram(this InjectionTask task, int maxSeqLen)
    {
        if (task.Kind == InjectionTaskKind.Program) return task.Program!.Program.Build(); // fresh ids; max_seq_len only in the options
        using (IdScope.Begin())
        {
            var lib = new Lib();
            return task.Kind switch
            {
                InjectionTaskKind.Sum => PaperPrograms.IntSum(lib, maxDigits: 3, maxLength: maxSeqLen),
                InjectionTaskKind.Count => PaperPrograms.Count(lib, maxDigits: 3, maxLength: maxSeqLen),
                _ => PaperPrograms.ShuffleDyck(lib),
            };
        }
    }

    private static readonly ConcurrentDictionary<(InjectionTask, int, bool), Lazy<CompiledModel>> TeacherCache = new();

    /// <summary>The compiled teacher; compiled once per process and settings (program tasks: per program settings), then shared.</summary>
    public static CompiledModel Teacher(this InjectionTask task, int maxSeqLen, bool fixTracrBugs = false) =>
        TeacherCache.GetOrAdd((task, maxSeqLen, fixTracrBugs), key => new Lazy<CompiledModel>(
            () => RaspCompiler.Compile(key.Item1.BuildProgram(key.Item2), key.Item1.TeacherOptions(key.Item2, key.Item3)))).Value;

    /// <summary>
    /// How the teacher reads a batch of LM ids: the paper's tasks run it over the whole sequence (LM position p ↔
    /// compiled position p + 1); a program task runs it over the input tokens only, which start at the prefix's token
    /// count under <paramref name="tokenizer"/> (checked here for that tokenizer).
    /// </summary>
    public static TeacherInput TeacherInputFor(this InjectionTask task, TokenTranslator translator, Gpt2Tokenizer tokenizer, CompiledModel teacher)
    {
        if (task.Kind != InjectionTaskKind.Program) return TeacherInput.Whole(translator);
        var tokens = task.Program!.CheckTokenization(tokenizer);
        return TeacherInput.Window(translator, tokens.Offset, teacher.MaxSeqLen, teacher.PadId);
    }
}
