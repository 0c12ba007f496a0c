using System.Text.Json.Nodes;
using TracrInjection.Injection.Corpus;

namespace TracrInjection.Injection.Tests.Corpus;

/// <summary>The second corpus version's sources, on hand-written samples of each package's format.</summary>
public class ProseSourceTests
{
    [Fact]
    public void Bible_output_becomes_one_document_per_chapter_without_verse_numbers()
    {
        const string output = "\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.\n  2 And the earth was without form, and void; and\ndarkness was upon the face of the deep.\n\n1 Kings 2\n\n  1 Now the days of David drew nigh that he should die.\n";
        var chapters = BibleSource.Chapters(output).ToList();
        Assert.Equal(2, chapters.Count);
        Assert.Equal("In the beginning God created the heaven and the earth. And the earth was without form, and void; and darkness was upon the face of the deep.", chapters[0]);
        Assert.Equal("Now the days of David drew nigh that he should die.", chapters[1]);
    }

    [Fact]
    public void Python_docs_keep_prose_and_drop_code_directives_and_headings()
    {
        const string rst = """
            .. _tut-if:

            :keyword:`!if` Statements
            =========================

            Perhaps the most well-known statement type is the :keyword:`if` statement, and
            ``elif`` parts are optional as the :ref:`tutorial <tut-intro>` explains. For
            example::

               >>> x = int(input("Please enter an integer: "))
               >>> if x < 0:

            .. index::
               statement: for long enough words to pass the prose filter if they were kept here

            .. note::

               The *note* body is prose that should be kept because notes are part of the text.
            """;
        var paragraphs = PythonDocsSource.Paragraphs(rst).Where(p => p is not null).ToList();
        Assert.Equal(2, paragraphs.Count);
        Assert.Equal("Perhaps the most well-known statement type is the if statement, and elif parts are optional as the tutorial explains. For example:", paragraphs[0]);
        Assert.Equal("The note body is prose that should be kept because notes are part of the text.", paragraphs[1]);
    }

    [Fact]
    public void Foldoc_entries_lose_headwords_tags_braces_urls_and_dates()
    {
        const string entry = "abstract data type\nADT\n\n   <programming> (ADT) A kind of {data abstraction} where a\n   type's internal form is hidden behind a set of {access\n   functions}.\n\n   {Reynolds paper\n   (http://example.org/paper.html)}.\n\n   (2003-07-03)\n";
        Assert.Equal("(ADT) A kind of data abstraction where a type's internal form is hidden behind a set of access functions.", FoldocSource.CleanEntry(entry));
    }

    [Fact]
    public void Handbook_paragraphs_are_text_of_para_elements()
    {
        const string html = "<div class=\"para\">\n\t\tThis file lists all sources of packages associated with the <span class=\"distribution\">Bullseye</span> version of Debian &amp; its updates.\n</div><pre>apt update</pre><div class=\"para\">Short.</div>";
        var paragraphs = DebianHandbookSource.Paragraphs(html).ToList();
        Assert.Equal(["This file lists all sources of packages associated with the Bullseye version of Debian & its updates.", null], paragraphs);
    }

    [Fact]
    public void Prose_chunks_break_at_nulls_and_at_the_size_limit()
    {
        var docs = ProseChunks.Documents("s", ["aaaa", "bbbb", null, "cccc", "dddd", "eeee"], maxChars: 9).Select(d => d.Text).ToList();
        Assert.Equal(["aaaa\nbbbb", "cccc\ndddd", "eeee"], docs);
    }

    sealed class FakeSource(string name, string heldOutFile, params string[] docs) : ICorpusSource
    {
        public string Name => name;
        public IReadOnlyList<string> DebianPackages => ["fake-" + name];
        public IReadOnlyList<string> RequiredPaths => [];
        public string HeldOutFileName => heldOutFile;
        public IEnumerable<CorpusDocument> Read() => docs.Select(d => new CorpusDocument(name, d));
    }

    [Fact]
    public void A_source_with_its_own_held_out_file_leaves_heldout_txt_unchanged()
    {
        var first = Enumerable.Range(0, 300).Select(i => $"Dictionary entry {i} defines a word.").ToArray();
        var added = Enumerable.Range(0, 300).Select(i => $"A paragraph {i} of a book.").ToArray();
        using var before = new TempFolder();
        var old = CorpusBuilder.Build(before.Path, new CorpusBuildOptions { HeldOutPerTenThousand = 1000, Sources = [new FakeSource("dict", CorpusFiles.HeldOutFileName, first)] });
        using var after = new TempFolder();
        var grown = CorpusBuilder.Build(after.Path, new CorpusBuildOptions
        {
            HeldOutPerTenThousand = 1000,
            Sources = [new FakeSource("dict", CorpusFiles.HeldOutFileName, first), new FakeSource("book", CorpusFiles.ProseHeldOutFileName, added)],
        });
        Assert.Equal(old.HeldOut.Sha256, grown.HeldOut.Sha256);
        Assert.Equal([CorpusFiles.HeldOutFileName, CorpusFiles.ProseHeldOutFileName], grown.HeldOutFiles.Select(f => f.FileName));
        var prose = CorpusFiles.ReadDocuments(Path.Combine(after.Path, CorpusFiles.ProseHeldOutFileName));
        Assert.All(prose, d => Assert.StartsWith("A paragraph", d));
        Assert.NotEmpty(prose);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(after.Path, "manifest.json")))!;
        Assert.Equal(grown.HeldOutFiles[1].Sha256, (string)manifest["files"]![CorpusFiles.ProseHeldOutFileName]!["sha256"]!);
        Assert.Equal(CorpusFiles.ProseHeldOutFileName, (string)manifest["sources"]![1]!["heldout_file"]!);
    }
}
