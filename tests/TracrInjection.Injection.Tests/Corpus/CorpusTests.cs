using System.IO.Compression;
using System.Text.Json.Nodes;
using TracrInjection.Injection.Corpus;
using TracrInjection.Injection.Tests.Pretraining;

namespace TracrInjection.Injection.Tests.Corpus;

public class TextCleaningTests
{
    [Fact]
    public void Lines_are_normalised()
    {
        Assert.Equal("a b c", TextCleaning.NormalizeLine("\t a \u00A0 b\u0007   c  "));
        Assert.Equal("x y", TextCleaning.NormalizeLine("x<|endoftext|>y"));
        Assert.Equal("bold", TextCleaning.RemoveOverstrike("b\bbo\bol\bld\bd"));
        Assert.Equal("word", TextCleaning.RemoveOverstrike("_\bw_\bo_\br_\bd"));
        Assert.Equal(new[] { "one two", "three" }, TextCleaning.UnwrappedParagraphs(["one", "  two", "", "", "three"]));
        Assert.Equal("a, b. c", TextCleaning.TidyPunctuation("a , b .  c"));
    }

    [Fact]
    public void Non_utf8_bytes_fall_back_to_latin1()
    {
        Assert.Equal("café", TextCleaning.Decode("café"u8.ToArray()));
        Assert.Equal("caf\u00e9", TextCleaning.Decode([0x63, 0x61, 0x66, 0xE9]));
    }
}

public class SourceParsingTests
{
    [Fact]
    public void Fortunes_are_split_at_percent_lines_and_wrapped_lines_joined()
    {
        const string file = "A banker is a fellow who lends you his umbrella when the sun is shining\nand wants it back the minute it begins to rain.\n\t\t-- Mark Twain\n%\nShort line\nanother short line\n%\n";
        var fortunes = FortunesSource.SplitFortunes(file).Select(FortunesSource.CleanFortune).ToList();
        Assert.Equal(2, fortunes.Count);
        Assert.Equal("A banker is a fellow who lends you his umbrella when the sun is shining and wants it back the minute it begins to rain.\n-- Mark Twain", fortunes[0]);
        Assert.Equal("Short line\nanother short line", fortunes[1]);
    }

    [Fact]
    public void Wordnet_synsets_become_lemma_gloss_lines()
    {
        const string line = "00217593 04 n 02 kill 1 shoot_down(a) 0 002 @ 00217014 n 0000 + 00355365 v 0101 | the destruction of an enemy plane; \"the pilot reported two kills\"  ";
        Assert.Equal("kill, shoot down: the destruction of an enemy plane; \"the pilot reported two kills\"", WordNetSource.ParseSynset(line));
        Assert.Null(WordNetSource.ParseSynset("  1 This software and database is being provided"));
        Assert.Null(WordNetSource.ParseSynset("garbage without a gloss"));
    }

    [Fact]
    public void Gcide_entries_lose_their_markup()
    {
        const string entry = """
            Affect \Af*fect"\, v. t. [imp. & p. p. {Affected}; p. pr. & vb.
               n. {Affecting}.] [L. affectus, p. p. of afficere.]
               1. To act upon; to produce an effect or change upon.
                  [1913 Webster]

                        As might affect the earth with cold heat. --Milton.
                  [1913 Webster]

            Backslide \Back"slide"\ (b[a^]k"sl[imac]d"; 277), v. i.
               To slide back. Cf. {sacrifice} (?; n. & v.). [Obs.]
               [1913 Webster]
            """;
        var cleaned = GcideSource.CleanEntry(entry);
        Assert.Equal("Affect, v. t. 1. To act upon; to produce an effect or change upon.\nAs might affect the earth with cold heat.\nBackslide, v. i. To slide back. Cf. sacrifice.", cleaned);
        Assert.Equal(0, DictdDatabase.Base64("A"));
        Assert.Equal(64 * 1 + 2, DictdDatabase.Base64("BC"));
        Assert.Equal(-1, DictdDatabase.Base64("B!"));
    }

    [Fact]
    public void Jargon_keeps_prose_paragraphs_only()
    {
        using var dir = new TempFolder();
        string path = dir["jargon.txt.gz"];
        const string text = "   crock\n\n   n. An awkward feature or programming technique that ought to be made cleaner, but\n   which works well enough that nobody bothers.\n\n┌──────┬──────┐\n│ a table with enough words to pass the word count filter here │\n\n   foo\n";
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest)) gz.Write(System.Text.Encoding.UTF8.GetBytes(text));
        var docs = new JargonSource(path).Read().ToList();
        Assert.Single(docs);
        Assert.Equal("n. An awkward feature or programming technique that ought to be made cleaner, but which works well enough that nobody bothers.", docs[0].Text);
    }
}

public class CorpusBuilderTests
{
    sealed class FakeSource(string name, params string[] docs) : ICorpusSource
    {
        public string Name => name;
        public IReadOnlyList<string> DebianPackages => ["fake-package-" + name];
        public IReadOnlyList<string> RequiredPaths => [];
        public IEnumerable<CorpusDocument> Read() => docs.Select(d => new CorpusDocument(name, d));
    }

    sealed class MissingSource : ICorpusSource
    {
        public string Name => "missing";
        public IReadOnlyList<string> DebianPackages => ["dict-nothing"];
        public IReadOnlyList<string> RequiredPaths => ["/nonexistent/dict-nothing.dz"];
        public IEnumerable<CorpusDocument> Read() => [];
    }

    [Fact]
    public void Builds_deduplicated_hash_split_files_with_a_manifest()
    {
        using var dir = new TempFolder();
        var docs = Enumerable.Range(0, 400).Select(i => $"Document number {i} says something.\nSecond line {i}.").ToArray();
        var sources = new ICorpusSource[] { new FakeSource("a", docs[..200]), new FakeSource("b", [.. docs[200..], docs[0], docs[1]]) };
        var result = CorpusBuilder.Build(dir.Path, new CorpusBuildOptions { HeldOutPerTenThousand = 1000, Sources = sources });

        Assert.Equal(2, result.DuplicatesRemoved);
        var train = CorpusFiles.ReadDocuments(Path.Combine(dir.Path, "train.txt"));
        var held = CorpusFiles.ReadDocuments(Path.Combine(dir.Path, "heldout.txt"));
        Assert.Equal(400, train.Count + held.Count);
        Assert.Equal(docs.OrderBy(d => d), train.Concat(held).OrderBy(d => d));
        Assert.InRange(held.Count, 20, 65); // ~10%
        Assert.All(held, d => Assert.True(CorpusBuilder.IsHeldOut(d, 1000)));
        Assert.All(train, d => Assert.False(CorpusBuilder.IsHeldOut(d, 1000)));

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "manifest.json")))!;
        Assert.Equal(CorpusFiles.Sha256OfFile(Path.Combine(dir.Path, "train.txt")), (string)manifest["files"]!["train.txt"]!["sha256"]!);
        Assert.Equal(CorpusFiles.Sha256OfFile(Path.Combine(dir.Path, "heldout.txt")), (string)manifest["files"]!["heldout.txt"]!["sha256"]!);
        Assert.Equal(2, manifest["sources"]!.AsArray().Count);

        // Deterministic: building again gives the same bytes.
        using var again = new TempFolder();
        var second = CorpusBuilder.Build(again.Path, new CorpusBuildOptions { HeldOutPerTenThousand = 1000, Sources = sources });
        Assert.Equal(result.Train.Sha256, second.Train.Sha256);
        Assert.Equal(result.HeldOut.Sha256, second.HeldOut.Sha256);
    }

    [Fact]
    public void A_missing_package_file_names_the_package_and_the_setup_script()
    {
        using var dir = new TempFolder();
        var ex = Assert.Throws<FileNotFoundException>(() => CorpusBuilder.Build(dir.Path, new CorpusBuildOptions { Sources = [new MissingSource()] }));
        Assert.Contains("dict-nothing", ex.Message);
        Assert.Contains("scripts/setup.sh", ex.Message);
    }

    [Fact]
    public void Document_files_round_trip_and_plain_text_is_one_document()
    {
        var docs = new[] { "first\nwith two lines", "second", "third <with> brackets" };
        Assert.Equal(docs, CorpusFiles.ParseDocuments(CorpusFiles.Format(docs)));
        Assert.Equal(new[] { "just some text\nover lines" }, CorpusFiles.ParseDocuments("just some text\nover lines\n"));
        Assert.Empty(CorpusFiles.ParseDocuments("\n<|endoftext|>\n\n"));
    }

    [Fact]
    public void The_committed_held_out_slice_matches_its_manifest()
    {
        string dir = CorpusFiles.DefaultDirectory(AppContext.BaseDirectory);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, CorpusFiles.ManifestFileName)))!;
        Assert.Equal((string)manifest["files"]!["heldout.txt"]!["sha256"]!, CorpusFiles.Sha256OfFile(Path.Combine(dir, CorpusFiles.HeldOutFileName)));
        string train = Path.Combine(dir, CorpusFiles.TrainFileName);
        if (File.Exists(train)) // built by scripts/setup.sh; not committed
            Assert.Equal((string)manifest["files"]!["train.txt"]!["sha256"]!, CorpusFiles.Sha256OfFile(train));
        var held = CorpusFiles.ReadDocuments(Path.Combine(dir, CorpusFiles.HeldOutFileName));
        Assert.Equal((int)manifest["files"]!["heldout.txt"]!["documents"]!, held.Count);
    }
}
