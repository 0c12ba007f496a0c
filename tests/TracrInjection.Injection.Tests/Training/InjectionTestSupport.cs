using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Data;
using TracrInjection.Injection.Options;
using TracrInjection.Injection.Presets;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.Gpt2;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Tests.Training;

/// <summary>A tiny random GPT-2 (full GPT-2 vocabulary, 2 blocks of width 16) in a temporary HF folder, and tiny run settings.</summary>
public static class InjectionTestSupport
{
    public static readonly string[] Documents = Pretraining.TinyRun.TrainDocuments;

    public static string WriteTinyModel(string dir, double dropout = 0.1, int layers = 2, long seed = 3)
    {
        var config = new Gpt2Config
        {
            NLayer = layers, NHead = 2, NEmbd = 16, NPositions = 64,
            ResidPdrop = dropout, EmbdPdrop = dropout, AttnPdrop = dropout,
        };
        using var model = new Gpt2Model(config, seed);
        Gpt2Checkpoint.Save(model, dir);
        return dir;
    }

    /// <summary>A small held-out corpus folder (heldout.txt with a few documents).</summary>
    public static string WriteCorpus(string dir)
    {
        Directory.CreateDirectory(dir);
        CorpusFiles.WriteDocuments(Path.Combine(dir, CorpusFiles.HeldOutFileName), Documents);
        return dir;
    }

    public static IKlTextSource KlSource(InjectionTask task)
    {
        var tok = Gpt2Tokenizer.Create(task.TokenizerVariant(InjectionFixes.None));
        return new InMemoryKlSource(Documents.Select(d => tok.Encode(d).Take(12).ToArray()).ToList());
    }

    public static InjectionOptions Options(string task, long steps, InjectionPreset preset = InjectionPreset.Paper) =>
        InjectionOptions.ForPreset(preset, task) with
        {
            Steps = steps, BatchSize = 3, KlBatchSize = 2, KlSequenceLength = 12, LmLearningRate = 1e-3, AdapterLearningRate = 1e-2,
            CheckpointInterval = 2, LogInterval = 1, ValidationInterval = 0, Threads = 1, Seed = 11,
            Data = new TaskDataOptions { PoolSize = 400, MaxTestSize = 40, ValidationSize = 8, OodSize = 20 },
            Evaluation = new EvaluationOptions { MaxItemsPerSplit = 6, DecodeItems = 4, CausalItems = 4, PerplexityWindows = 2, PerplexityWindowLength = 16, CausalNorms = [0, 5], LanguageClozePassages = 4, LanguageChoiceItems = 4, LanguagePerplexityWindows = 2 },
        };
}
