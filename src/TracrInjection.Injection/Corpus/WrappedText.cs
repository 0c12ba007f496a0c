using System.IO.Compression;

namespace TracrInjection.Injection.Corpus;

/// <summary>Plain-text files with hard-wrapped lines (optionally gzipped), read as unwrapped paragraphs.</summary>
public static class WrappedText
{
    public static string ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return TextCleaning.Decode(memory.ToArray()).Replace("\r\n", "\n");
    }

    public static IEnumerable<string> Paragraphs(string path) => TextCleaning.UnwrappedParagraphs(ReadAll(path).Split('\n'));
}
