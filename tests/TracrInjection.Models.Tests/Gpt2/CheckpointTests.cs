using System.Buffers.Binary;
using TorchSharp;
using TracrInjection.Models.Checkpoints;
using TracrInjection.Models.Gpt2;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Gpt2;

public class CheckpointTests
{
    static Dictionary<string, byte[]> ParameterBytes(Gpt2Model model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().contiguous().bytes.ToArray());

    [Fact]
    public void SaveThenLoadIsBitExact()
    {
        using var dir = new TempFolder();
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 37) with { NLayer = 3, NInner = 24 }, seed: 7);
        Gpt2Checkpoint.Save(model, dir.Path);
        using var loaded = Gpt2Checkpoint.Load(dir.Path);

        Assert.Equal(model.Config with { ExtraFields = null }, loaded.Config with { ExtraFields = null });
        var a = ParameterBytes(model);
        var b = ParameterBytes(loaded);
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), name);

        // Saving the loaded model again gives the same bytes on disk.
        using var dir2 = new TempFolder();
        Gpt2Checkpoint.Save(loaded, dir2.Path);
        Assert.Equal(File.ReadAllBytes(dir["model.safetensors"]), File.ReadAllBytes(dir2["model.safetensors"]));
        Assert.Equal(File.ReadAllText(dir["config.json"]), File.ReadAllText(dir2["config.json"]));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void SavedFileUsesHfNamesAndLayout()
    {
        using var dir = new TempFolder();
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 37), seed: 7);
        Gpt2Checkpoint.Save(model, dir.Path);
        using var reader = SafeTensorsReader.Open(dir["model.safetensors"]);
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal(new long[] { 16, 48 }, reader.Tensors["transformer.h.0.attn.c_attn.weight"].Shape);
        Assert.Equal(new long[] { 16, 64 }, reader.Tensors["transformer.h.1.mlp.c_fc.weight"].Shape);
        Assert.Equal(new long[] { 37, 16 }, reader.Tensors["transformer.wte.weight"].Shape);
        Assert.False(reader.Contains("lm_head.weight"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir["config.json"]))!;
        Assert.Equal("gpt2", (string?)json["model_type"]);
        Assert.Equal("GPT2LMHeadModel", (string?)json["architectures"]![0]);
        Assert.Equal(2, (int)json["n_layer"]!);
        Assert.Equal("float32", (string?)json["torch_dtype"]);
    }

    [Fact]
    public void Float16SaveRoundTripsThroughHalfPrecision()
    {
        using var dir = new TempFolder();
        using var model = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 19), seed: 8);
        Gpt2Checkpoint.Save(model, dir.Path, SafeTensorsDType.F16);
        using (var reader = SafeTensorsReader.Open(dir["model.safetensors"]))
            Assert.All(reader.Tensors.Values, t => Assert.Equal(SafeTensorsDType.F16, t.DType));
        using var loaded = Gpt2Checkpoint.Load(dir.Path);
        foreach (var ((name, p), (_, q)) in model.named_parameters().Zip(loaded.named_parameters()))
        {
            var expected = p.detach().to_type(ScalarType.Float16).to_type(ScalarType.Float32);
            Assert.True(expected.eq(q).all().item<bool>(), name);
        }
        using var dir2 = new TempFolder();
        Gpt2Checkpoint.Save(loaded, dir2.Path, SafeTensorsDType.F16);
        Assert.Equal(File.ReadAllBytes(dir["model.safetensors"]), File.ReadAllBytes(dir2["model.safetensors"]));
    }

    [Fact]
    public void SaveOverwritesExistingCheckpoint()
    {
        using var dir = new TempFolder();
        using var a = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 19), seed: 1);
        using var b = new Gpt2Model(Gpt2Config.Tiny(vocabSize: 19), seed: 2);
        Gpt2Checkpoint.Save(a, dir.Path);
        Gpt2Checkpoint.Save(b, dir.Path);
        using var loaded = Gpt2Checkpoint.Load(dir.Path);
        Assert.True(loaded.TokenEmbedding.weight!.eq(b.TokenEmbedding.weight!).all().item<bool>());
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void ReaderWidensF16AndBF16()
    {
        using var dir = new TempFolder();
        float[] values = { 1f, -2.5f, 0.333251953125f, 65504f, 1e-3f };
        var f16 = new byte[values.Length * 2];
        var bf16 = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2 * i), (Half)values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
        }
        string path = dir["t.safetensors"];
        TinyGpt2.WriteSafeTensors(path, new[]
        {
            ("a", "F16", new long[] { 5 }, f16),
            ("b", "BF16", new long[] { 5, 1 }, bf16),
            ("c", "F32", new long[] { 1, 5 }, TinyGpt2.F32Bytes(values)),
        });
        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(values.Select(v => (float)(Half)v), reader.ReadFloats("a"));
        Assert.Equal(values.Select(v => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(v) & 0xFFFF0000)), reader.ReadFloats("b"));
        Assert.Equal(values, reader.ReadFloats("c"));
        using var t = reader.ReadTensor("b");
        Assert.Equal(ScalarType.BFloat16, t.dtype);
        Assert.Equal(new long[] { 5, 1 }, t.shape);
    }

    [Fact]
    public void Bf16CheckpointLoadsIntoFloat32Model()
    {
        var tiny = TinyGpt2.Random(seed: 9);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        // Re-encode every tensor as BF16 by hand.
        var entries = tiny.Tensors.Select(kv => ("transformer." + kv.Key, "BF16", kv.Value.Shape,
            kv.Value.Data.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray()));
        TinyGpt2.WriteSafeTensors(dir["model.safetensors"], entries);
        using var model = Gpt2Checkpoint.Load(dir.Path);
        var wte = Gpt2ModelTests.Flat(model.TokenEmbedding.weight!);
        var expected = tiny.Tensors["wte.weight"].Data.Select(v => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(v) & 0xFFFF0000));
        Assert.Equal(expected, wte);
    }

    [Fact]
    public void PyTorchBinCheckpointLoads()
    {
        var tiny = TinyGpt2.Random(seed: 10);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        using var fromSafeTensors = Gpt2Checkpoint.Load(dir.Path);

        // Re-save the same weights as a torch.save zip pickle and drop the safetensors file.
        var dict = new System.Collections.Hashtable();
        foreach (var (name, p) in fromSafeTensors.named_parameters()) dict["transformer." + name] = p.detach().clone();
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(dir["pytorch_model.bin"], dict);
        File.Delete(dir["model.safetensors"]);

        using var fromBin = Gpt2Checkpoint.Load(dir.Path);
        foreach (var ((name, p), (_, q)) in fromSafeTensors.named_parameters().Zip(fromBin.named_parameters()))
            Assert.True(p.eq(q).all().item<bool>(), name);
    }

    [Fact]
    public void ConfigKeepsUnknownFieldsAndValidates()
    {
        var tiny = TinyGpt2.Random(seed: 0);
        var config = Gpt2Config.FromJson(tiny.ConfigJson());
        Assert.Equal("cls_index", (string?)config.ExtraFields!["summary_type"]);
        var again = Gpt2Config.FromJson(config.ToJson());
        Assert.Equal("cls_index", (string?)again.ExtraFields!["summary_type"]);
        Assert.Equal(config with { ExtraFields = null }, again with { ExtraFields = null });

        var bad = Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("""{"n_layer": 2, "n_head": 3, "n_embd": 8, "vocab_size": 5}""", "x/config.json"));
        Assert.Contains("divisible", bad.Message);
        Assert.Contains("x/config.json", bad.Message);
        Assert.Contains("'n_head'", Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("""{"n_layer": 2, "n_embd": 8, "vocab_size": 5}""")).Message);
        Assert.Contains("'n_layer'", Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("""{"n_layer": "two", "n_head": 2, "n_embd": 8, "vocab_size": 5}""")).Message);
        Assert.Contains("activation_function", Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("""{"n_layer": 2, "n_head": 2, "n_embd": 8, "vocab_size": 5, "activation_function": "relu"}""")).Message);
        Assert.Contains("model_type", Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("""{"n_layer": 2, "n_head": 2, "n_embd": 8, "vocab_size": 5, "model_type": "llama"}""")).Message);
        Assert.Contains("invalid JSON", Assert.Throws<InvalidDataException>(() => Gpt2Config.FromJson("{")).Message);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        var tiny = TinyGpt2.Random(seed: 0);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path, rename: n => n.EndsWith("h.1.ln_2.bias") ? null : n);
        var ex = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("h.1.ln_2.bias", ex.Message);
        Assert.Contains("model.safetensors", ex.Message);
    }

    [Fact]
    public void WrongShapeIsNamed()
    {
        var tiny = TinyGpt2.Random(seed: 0);
        var (shape, data) = tiny.Tensors["h.0.attn.c_proj.weight"];
        tiny.Tensors["h.0.attn.c_proj.weight"] = (new long[] { shape[1] / 2, shape[0] * 2 }, data);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        var ex = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("transformer.h.0.attn.c_proj.weight", ex.Message);
        Assert.Contains("[4, 16]", ex.Message);
        Assert.Contains("expected [8, 8]", ex.Message);
    }

    [Fact]
    public void UnexpectedTensorIsNamed()
    {
        var tiny = TinyGpt2.Random(seed: 0);
        tiny.Tensors["h.0.attn.q_proj.weight"] = (new long[] { 2 }, new float[2]);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        Assert.Contains("h.0.attn.q_proj.weight", Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path)).Message);
    }

    [Fact]
    public void TruncatedFileNamesTheTensorAndFile()
    {
        var tiny = TinyGpt2.Random(seed: 0);
        using var dir = new TempFolder();
        tiny.WriteCheckpoint(dir.Path);
        string path = dir["model.safetensors"];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        var ex = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("transformer.ln_f.bias", ex.Message); // the last tensor written
        Assert.Contains(path, ex.Message);

        File.WriteAllBytes(path, bytes[..100]);
        ex = Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("header length", ex.Message);
        Assert.Contains(path, ex.Message);

        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path)).Message);
    }

    [Fact]
    public void CorruptHeaderEntriesAreReported()
    {
        using var dir = new TempFolder();
        string path = dir["x.safetensors"];
        TinyGpt2.WriteSafeTensors(path, new[] { ("w", "F32", new long[] { 3 }, new byte[8]) });
        Assert.Contains("'w'", Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(path)).Message);

        TinyGpt2.WriteSafeTensors(path, new[] { ("w", "C64", new long[] { 1 }, new byte[8]) });
        Assert.Contains("unsupported dtype 'C64'", Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(path)).Message);

        var junk = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(junk, 8);
        "not json"u8.CopyTo(junk.AsSpan(8));
        File.WriteAllBytes(path, junk);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(path)).Message);
    }

    [Fact]
    public void MissingFilesAreReported()
    {
        using var dir = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => Gpt2Checkpoint.Load(dir.Path));
        File.WriteAllText(dir["config.json"], TinyGpt2.Random(0).ConfigJson());
        var ex = Assert.Throws<FileNotFoundException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("model.safetensors", ex.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Gpt2Checkpoint.Load(dir["nope"]));
    }

    [Fact]
    public void CorruptPyTorchBinIsReported()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir["config.json"], TinyGpt2.Random(0).ConfigJson());
        File.WriteAllBytes(dir["pytorch_model.bin"], new byte[] { 0x80, 0x02, 0x8a, 0x0a, 1, 2, 3 });
        // Legacy (pre-zip) torch.save format.
        var ex = Assert.Throws<NotSupportedException>(() => Gpt2Checkpoint.Load(dir.Path));
        Assert.Contains("pytorch_model.bin", ex.Message);

        // A zip that is not a torch.save archive (deleting first also shows the handle was closed).
        File.Delete(dir["pytorch_model.bin"]);
        using (var zip = System.IO.Compression.ZipFile.Open(dir["pytorch_model.bin"], System.IO.Compression.ZipArchiveMode.Create))
        using (var w = new StreamWriter(zip.CreateEntry("archive/data.pkl").Open()))
            w.Write("garbage");
        Assert.Contains("pytorch_model.bin", Assert.Throws<InvalidDataException>(() => Gpt2Checkpoint.Load(dir.Path)).Message);
    }
}
