using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TracrInjection.Models;

namespace TracrInjection.Injection.Corpus;

public sealed record CorpusBuildOptions
{
    /// <summary>Documents whose hash falls below this many per ten thousand go to the held-out file.</summary>
    public int HeldOutPerTenThousand { get; init; } = 100;
    public IReadOnlyList<ICorpusSource>? Sources { get; init; }
}

public sealed record CorpusSourceSummary(string Name, IReadOnlyDictionary<string, string> Packages, string HeldOutFileName, int TrainDocuments, int HeldOutDocuments, long TrainChars, long HeldOutChars);

public sealed record CorpusFileSummary(string FileName, string Sha256, long Bytes, int Documents);

/// <param name="HeldOut">heldout.txt, the yardstick slice.</param>
/// <param name="HeldOutFiles">Every held-out file, heldout.txt first.</param>
public sealed record CorpusBuildResult(string Directory, CorpusFileSummary Train, CorpusFileSummary HeldOut, IReadOnlyList<CorpusFileSummary> HeldOutFiles,
    IReadOnlyList<CorpusSourceSummary> Sources, int DuplicatesRemoved);

/// <summary>
/// Builds the pretraining corpus from Debian packages: reads every source in a fixed order,
/// drops exact duplicates (after cleaning), and splits documents into train and held-out by a
/// hash of their text, so the split does not depend on order and a document never moves when
/// others are added. Writes train.txt, heldout.txt and manifest.json (SHA-256 of both files).
/// </summary>
public static class CorpusBuilder
{
    public static IReadOnlyList<ICorpusSource> DefaultSources() =>
        [
            // The first corpus: its held-out documents are heldout.txt, the fixed yardstick.
            new FortunesSource(), new WordNetSource(), new GcideSource(), new JargonSource(),
            // Books, encyclopaedic text and documentation (second version): held out in heldout-prose.txt.
            new BibleSource(), new FoldocSource(), new PythonDocsSource(), new DebianHandbookSource(), new GnuStandardsSource(),
        ];

    /// <summary>Every Debian package the default sources need (what scripts/setup.sh installs).</summary>
    public static IReadOnlyList<string> DefaultPackages() => DefaultSources().SelectMany(s => s.DebianPackages).Distinct().ToList();

    /// <summary>Whether a document goes to the held-out file: the first 8 bytes of SHA-256(text), mod 10 000.</summary>
    public static bool IsHeldOut(string text, int perTenThousand)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return BinaryPrimitives.ReadUInt64BigEndian(hash) % 10_000 < (ulong)perTenThousand;
    }

    public static CorpusBuildResult Build(string outputDirectory, CorpusBuildOptions? options = null, Action<string>? log = null)
    {
        options ??= new CorpusBuildOptions();
        var sources = options.Sources ?? DefaultSources();
        foreach (var source in sources)
            foreach (var path in source.RequiredPaths)
                if (!File.Exists(path))
                    throw new FileNotFoundException(
                        $"Corpus source '{source.Name}' needs '{path}', from Debian package(s) {string.Join(", ", source.DebianPackages)}: " +
                        $"run scripts/setup.sh (or apt-get install {string.Join(" ", source.DebianPackages)}).", path);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<string>();
        var heldOut = new Dictionary<string, List<string>> { [CorpusFiles.HeldOutFileName] = [] };
        var summaries = new List<CorpusSourceSummary>();
        int duplicates = 0;
        foreach (var source in sources)
        {
            int trainDocs = 0, heldDocs = 0;
            long trainChars = 0, heldChars = 0;
            foreach (var doc in source.Read())
            {
                if (!seen.Add(doc.Text)) { duplicates++; continue; }
                if (IsHeldOut(doc.Text, options.HeldOutPerTenThousand))
                {
                    if (!heldOut.TryGetValue(source.HeldOutFileName, out var slice)) heldOut[source.HeldOutFileName] = slice = [];
                    slice.Add(doc.Text); heldDocs++; heldChars += doc.Text.Length;
                }
                else
                {
                    train.Add(doc.Text); trainDocs++; trainChars += doc.Text.Length;
                }
            }
            var packages = source.DebianPackages.ToDictionary(p => p, PackageVersion);
            summaries.Add(new CorpusSourceSummary(source.Name, packages, source.HeldOutFileName, trainDocs, heldDocs, trainChars, heldChars));
            log?.Invoke($"{source.Name}: {trainDocs} train + {heldDocs} held-out documents, {trainChars + heldChars:N0} characters");
        }

        Directory.CreateDirectory(outputDirectory);
        var trainPath = Path.Combine(outputDirectory, CorpusFiles.TrainFileName);
        CorpusFiles.WriteDocuments(trainPath, train);
        var heldSummaries = new List<CorpusFileSummary>();
        foreach (var (fileName, documents) in heldOut)
        {
            var heldPath = Path.Combine(outputDirectory, fileName);
            CorpusFiles.WriteDocuments(heldPath, documents);
            heldSummaries.Add(Summary(heldPath, documents.Count));
        }
        var result = new CorpusBuildResult(outputDirectory, Summary(trainPath, train.Count), heldSummaries[0], heldSummaries, summaries, duplicates);
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, CorpusFiles.ManifestFileName), ManifestJson(result, options) + "\n");
        return result;
    }

    static CorpusFileSummary Summary(string path, int documents) =>
        new(Path.GetFileName(path), CorpusFiles.Sha256OfFile(path), new FileInfo(path).Length, documents);

    static string ManifestJson(CorpusBuildResult result, CorpusBuildOptions options)
    {
        JsonObject File(CorpusFileSummary f) => new()
        {
            ["sha256"] = f.Sha256, ["bytes"] = f.Bytes, ["documents"] = f.Documents,
        };
        var sources = new JsonArray();
        foreach (var s in result.Sources)
        {
            var packages = new JsonObject();
            foreach (var (name, version) in s.Packages) packages[name] = version;
            sources.Add(new JsonObject
            {
                ["name"] = s.Name, ["debian_packages"] = packages, ["heldout_file"] = s.HeldOutFileName,
                ["train_documents"] = s.TrainDocuments, ["heldout_documents"] = s.HeldOutDocuments,
                ["train_chars"] = s.TrainChars, ["heldout_chars"] = s.HeldOutChars,
            });
        }
        JsonObject Files()
        {
            var files = new JsonObject { [result.Train.FileName] = File(result.Train) };
            foreach (var f in result.HeldOutFiles) files[f.FileName] = File(f);
            return files;
        }
        var root = new JsonObject
        {
            ["format"] = $"UTF-8 documents separated by lines holding {CorpusFiles.Separator}",
            ["split"] = $"held-out when the first 8 bytes of SHA-256(document text), big-endian, mod 10000 < {options.HeldOutPerTenThousand}",
            ["duplicates_removed"] = result.DuplicatesRemoved,
            ["files"] = Files(),
            ["sources"] = sources,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The installed version of a Debian package, or "unknown" (no dpkg, not installed).</summary>
    public static string PackageVersion(string package)
    {
        try
        {
            var psi = new ProcessStartInfo("dpkg-query", ["-W", "-f=${Version}", package])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var process = Process.Start(psi);
            if (process is null) return "unknown";
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }
}
