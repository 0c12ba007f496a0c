using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Injection.Alignment;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Runs;
using TracrInjection.Injection.Tasks;
using TracrInjection.Injection.Teaching;
using TracrInjection.Injection.Training;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

/// <summary>A run's trained model and adapter (latest checkpoint) with everything evaluation needs.</summary>
public sealed class LoadedRun : IDisposable
{
    public RunFolder Folder { get; }
    public InjectionOptions Options => Folder.Config.Options;
    public string Checkpoint { get; }
    public TrainerState State { get; }
    public InjectionTask Task { get; }
    public TaskDataset Data { get; }
    public Gpt2Model Model { get; }
    public Linear Adapter { get; }
    public Gpt2Tokenizer Tokenizer { get; }
    public InjectionTrainerParts Parts { get; }

    private LoadedRun(RunFolder folder, string checkpoint)
    {
        Folder = folder;
        Checkpoint = checkpoint;
        State = InjectionCheckpoint.LoadState(checkpoint);
        Models.Native.GlibcAllocator.KeepFreedMemory();
        var o = folder.Config.Options;
        Task = o.TaskDefinition;
        Data = Task.BuildData(o.Data with { Seed = o.Seed }, o.Fixes);
        var teacher = Task.Teacher(o.EffectiveTeacherMaxSeqLen, o.Fixes.RepairTracrBugs);
        Tokenizer = Gpt2Tokenizer.Create(Task.TokenizerVariant(o.Fixes), folder.Config.ModelDirectory);
        var device = InjectionTrainer.ResolveDevice(o.Device);
        Model = Gpt2Checkpoint.Load(Path.Combine(checkpoint, InjectionCheckpoint.ModelFolder), device);
        Model.eval();
        Adapter = nn.Linear(Model.Config.NEmbd, teacher.ResidualWidth, hasBias: true);
        InjectionCheckpoint.LoadAdapter(Adapter, Path.Combine(checkpoint, InjectionCheckpoint.AdapterFile));
        Adapter.to(device);
        var alignment = LayerAlignment.For(teacher, Model.Config.NLayer, o.LayerMapping);
        var translator = new TokenTranslator(Task.Translator(o.Fixes), Tokenizer, teacher, Model.Config.VocabSize);
        var builder = new SupervisedBatchBuilder(Tokenizer, InjectionTrainer.PadId(Tokenizer, Model.Config), o.EffectiveMaxLength, o.Fixes.TokenExactMask);
        var dims = InjectionTask.OutputVariable(teacher).Dims.Select(d => (long)d).ToArray();
        Parts = new InjectionTrainerParts(teacher, new CompiledTransformer(teacher, device), alignment, translator, builder, dims)
        {
            Input = Task.TeacherInputFor(translator, Tokenizer, teacher),
            Program = Task.Program,
        };
    }

    /// <summary>Opens a run folder at its latest checkpoint.</summary>
    public static LoadedRun Open(string runDirectory)
    {
        var folder = RunFolder.Open(runDirectory);
        string checkpoint = folder.LatestCheckpoint()
            ?? throw new InvalidDataException($"run '{folder.Root}' has no checkpoint yet: train it first (inject ... --resume continues it)");
        return new LoadedRun(folder, checkpoint);
    }

    public void Dispose()
    {
        Model.Dispose();
        Adapter.Dispose();
        Parts.TeacherRuntime.Dispose();
        Parts.Translator.Dispose();
    }
}
