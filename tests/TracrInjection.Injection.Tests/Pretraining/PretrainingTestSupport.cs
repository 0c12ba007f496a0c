using TorchSharp;
using TracrInjection.Injection.Pretraining;
using TracrInjection.Models.Tokenization;

namespace TracrInjection.Injection.Tests.Pretraining;

/// <summary>A few hundred tokens of repetitive English and a model small enough to train in seconds.</summary>
public static class TinyRun
{
    public static readonly string[] TrainDocuments =
    [
        "The cat sat on the mat. The dog sat on the log. The cat and the dog are friends.",
        "A bird sang in the tree. The bird sang every morning, and the cat listened to the bird.",
        "The dog ran to the park. The cat sat on the mat again. The bird flew over the park.",
        "Every morning the cat sat on the mat and the dog sat on the log by the door.",
        "The friends met in the park: the cat, the dog and the bird sang and ran and sat.",
        "On the mat sat the cat; on the log sat the dog; in the tree sang the bird.",
    ];

    public static readonly string[] HeldOutDocuments =
    [
        "The cat sat on the log. The dog sat on the mat. The bird sang in the park.",
        "Every morning the bird sang and the dog ran to the tree.",
    ];

    public static PretrainingData Data() => PretrainingData.FromDocuments(TrainDocuments, HeldOutDocuments, Gpt2Tokenizer.Create());

    public static PretrainingOptions Options(long steps) => new()
    {
        NLayer = 1, NHead = 2, NEmbd = 16, ContextLength = 16, BatchSize = 4,
        PeakLearningRate = 1e-2, WarmupSteps = 4, TotalSteps = steps, MinLearningRateRatio = 0.1,
        LogInterval = 2, EvalInterval = 10, EvalSequences = 4,
        CheckpointInterval = 0, CheckpointMinutes = 0, KeepCheckpoints = 2, Threads = 1, Seed = 7,
    };

    public static byte[] Bytes(string path) => File.ReadAllBytes(path);
}
