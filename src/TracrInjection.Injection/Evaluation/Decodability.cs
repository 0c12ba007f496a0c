using TorchSharp.Modules;
using TorchSharp;
using TracrInjection.Compiler.Assembly;
using TracrInjection.Injection.Tasks;
using TracrInjection.Models.CompiledRuntime;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Injection.Evaluation;

public static class Decodability
{
    /// <summary>Teacher layer (0-based) that writes each variable; −1 for the embedding (tokens, indices, one).</summary>
    public static Dictionary<string, int> ProducingLayer(CompiledModel teacher)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in teacher.Variables)
        {
            var dims = v.Dims.ToHashSet();
            int producer = -1;
            for (int l = 0; l < teacher.Layers.Count && producer < 0; l++)
            {
                var layer = teacher.Layers[l];
                bool writes = layer.Heads.Any(h => h.OutputDims.Any(dims.Contains)) || (layer.Mlp?.OutputDims.Any(dims.Contains) ?? false);
                if (writes) producer = l;
            }
            result[v.Name] = producer;
        }
        return result;
    }

    public static DecodabilityResult Evaluate(Gpt2Model model, Linear adapter, InjectionTrainerParts parts, TaskSplit items, int batchSize = 32)
    {
        var teacher = parts.Teacher;
        var alignment = parts.Alignment;
        var producing = ProducingLayer(teacher);
        var variables = teacher.Variables.Where(v => v.Dims.Length > 0).ToList();
        var agree = variables.ToDictionary(v => v.Name, _ => new long[alignment.HiddenIndices.Count]);
        var counted = variables.ToDictionary(v => v.Name, _ => new long[alignment.HiddenIndices.Count]);
        var decoder = new ResidualDecoder(teacher);
        long teacherCorrect = 0, teacherTotal = 0, positions = 0;
        var outputVar = InjectionTask.OutputVariable(teacher);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var device = model.TokenEmbedding.weight!.device;
            foreach (var chunk in items.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var batch = parts.Builder.Build(chunk);
                var ids = tensor(batch.Ids, [batch.BatchSize, batch.Length], ScalarType.Int64).to(device);
                var prepared = parts.Input.Prepare(ids);
                var compiledIds = prepared.CompiledIds;
                if (compiledIds.shape[1] > teacher.MaxSeqLen + 1) continue;
                // Program tasks: only the input positions have a teacher position.
                float[]? window = prepared.Mask is { } m ? m.to(CPU).data<float>().ToArray() : null;
                using var forward = parts.TeacherRuntime.Forward(compiledIds, captureStages: true);
                using var output = model.Forward(ids, new Gpt2ForwardOptions { OutputHiddenStates = true, SkipLogits = true });
                for (int k = 0; k < alignment.HiddenIndices.Count; k++)
                {
                    int layers = alignment.CompiledLayers[k];
                    var adapted = adapter.forward(output.HiddenStates![alignment.HiddenIndices[k]]).to(CPU);
                    for (int b = 0; b < batch.BatchSize; b++)
                    {
                        var a = CompiledForward.ToArray(adapted, b);
                        // Teacher rows are shifted by one (BOS first): LM position p ↔ teacher position p + 1 − offset.
                        var t = CompiledForward.ToArray(forward.Residuals[2 * layers], b);
                        for (int p = 0; p < batch.Length; p++)
                        {
                            if (batch.RealMask[b * batch.Length + p] == 0) continue;
                            if (window is not null && window[b * batch.Length + p] == 0) continue;
                            int cp = parts.Input.CompiledPosition(p);
                            if (k == 0) positions++;
                            foreach (var v in variables)
                            {
                                if (producing[v.Name] >= layers) continue; // not written yet at this boundary
                                var expected = ResidualDecoder.DecodeVariable(v, t, cp);
                                if (v.Numerical)
                                {
                                    double want = expected.AsDouble, got = a[p, v.Dims[0]];
                                    counted[v.Name][k]++;
                                    if (Math.Abs(got - want) <= 0.1 + 0.1 * Math.Abs(want)) agree[v.Name][k]++;
                                }
                                else
                                {
                                    if (expected.IsNone) continue;
                                    counted[v.Name][k]++;
                                    int best = 0;
                                    for (int i = 1; i < v.Dims.Length; i++) if (a[p, v.Dims[i]] > a[p, v.Dims[best]]) best = i;
                                    if ((v.Values[best] ?? TracrInjection.Rasp.Values.Value.None).Equals(expected)) agree[v.Name][k]++;
                                }
                            }
                        }
                    }
                }
                // The teacher's own answers: final_result at the answer positions vs the answer tokens.
                var last = forward.Output.to(CPU);
                if (parts.Program is { } program)
                {
                    // Program tasks: the label rendered from the teacher's decoded outputs at the input positions.
                    for (int b = 0; b < batch.BatchSize; b++)
                    {
                        var r = CompiledForward.ToArray(last, b);
                        int n = 0;
                        for (int p = 0; p < batch.Length; p++) if (window![b * batch.Length + p] != 0) n++;
                        var outputs = Enumerable.Range(1, n).Select(p => decoder.DecodeOutputAt(r, p)).ToArray();
                        teacherTotal++;
                        if (n > 0 && program.TryLabel(n, outputs) == chunk[b].Label) teacherCorrect++;
                    }
                    continue;
                }
                var encodedPrompts = chunk.Select(e => parts.Builder.Tokenizer.Encode(e.Prompt).Length).ToArray();
                for (int b = 0; b < batch.BatchSize; b++)
                {
                    var r = CompiledForward.ToArray(last, b);
                    var answerIds = parts.Builder.Tokenizer.Encode(chunk[b].Target);
                    int start = encodedPrompts[b] - 1;
                    bool ok = true;
                    for (int k = 0; k < answerIds.Length && ok; k++)
                    {
                        int p = start + k;
                        if (p + 1 >= r.GetLength(0)) { ok = false; break; }
                        var value = decoder.DecodeOutputAt(r, p + 1); // tracr's own output decoding (argmax)
                        string text = parts.Builder.Tokenizer.Decode([answerIds[k]]).Trim();
                        string got = value.IsNone ? "" : value.Kind == TracrInjection.Rasp.Values.ValueKind.Bool ? (value.IsTruthy ? "yes" : "no") : value.ToString();
                        ok = got == text;
                    }
                    teacherTotal++;
                    if (ok) teacherCorrect++;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        var result = variables.ToDictionary(v => v.Name, v =>
            Enumerable.Range(0, alignment.HiddenIndices.Count)
                .Select(k => counted[v.Name][k] == 0 ? (double?)null : (double)agree[v.Name][k] / counted[v.Name][k]).ToArray(),
            StringComparer.Ordinal);
        return new DecodabilityResult(alignment.HiddenIndices, alignment.CompiledLayers, result,
            teacherTotal == 0 ? double.NaN : (double)teacherCorrect / teacherTotal, items.Count, (int)positions);
    }
}
