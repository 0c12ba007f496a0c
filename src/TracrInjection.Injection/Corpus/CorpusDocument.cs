namespace TracrInjection.Injection.Corpus;

/// <summary>One document of the corpus: cleaned text and the source it came from.</summary>
public sealed record CorpusDocument(string Source, string Text);

/// <summary>A Debian package's text turned into cleaned documents.</summary>
public interface ICorpusSource
{
    /// <summary>Short name used in the manifest, e.g. "fortunes".</summary>
    string Name { get; }

    /// <summary>The Debian packages that provide the files.</summary>
    IReadOnlyList<string> DebianPackages { get; }

    /// <summary>The files read, for the error message when a package is missing.</summary>
    IReadOnlyList<string> RequiredPaths { get; }

    /// <summary>Documents in a fixed order.</summary>
    IEnumerable<CorpusDocument> Read();

    /// <summary>
    /// The file this source's held-out documents go to. The first corpus's sources keep
    /// <c>heldout.txt</c>, the fixed yardstick every model card reports; sources added later hold
    /// theirs out separately, so adding a source never changes that file.
    /// </summary>
    string HeldOutFileName => CorpusFiles.HeldOutFileName;
}
