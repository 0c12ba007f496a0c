using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Models.CompiledRuntime;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>What evaluation needs from a run besides the model: teacher, its runtime, alignment, translator, batch builder.</summary>
public sealed record InjectionTrainerParts(CompiledModel Teacher, CompiledTransformer TeacherRuntime, LayerAlignment Alignment,
    TokenTranslator Translator, SupervisedBatchBuilder Builder, long[] OutputDims)
{
    private TeacherInput? _input;

    /// <summary>How the teacher reads a batch; the whole sequence (the paper's tasks) unless set.</summary>
    public TeacherInput Input
    {
        get => _input ??= TeacherInput.Whole(Translator);
        init => _input = value;
    }

    /// <summary>The program task, for program runs (the teacher's own accuracy is checked against its labels).</summary>
    public ProgramTask? Program { get; init; }
}
