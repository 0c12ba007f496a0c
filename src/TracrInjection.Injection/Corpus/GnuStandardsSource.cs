namespace TracrInjection.Injection.Corpus;

/// <summary>
/// The GNU Coding Standards and "Information for Maintainers of GNU Software"
/// (<c>gnu-standards</c>, GFDL 1.3): technical prose in plain text. Menus, headings and examples
/// fall to the prose filter; each run of kept paragraphs is a document.
/// </summary>
public sealed class GnuStandardsSource(string directory = GnuStandardsSource.DefaultDirectory) : ICorpusSource
{
    public const string DefaultDirectory = "/usr/share/doc/gnu-standards";
    const int MinWords = 12;

    public string Name => "gnu-standards";
    public IReadOnlyList<string> DebianPackages => ["gnu-standards"];
    public IReadOnlyList<string> RequiredPaths => [Path.Combine(directory, "standards.text.gz"), Path.Combine(directory, "maintain.text.gz")];
    public string HeldOutFileName => CorpusFiles.ProseHeldOutFileName;

    public IEnumerable<CorpusDocument> Read() =>
        RequiredPaths.SelectMany(path => ProseChunks.Documents(Name,
            WrappedText.Paragraphs(path).Select(p => ProseChunks.IsProse(p, MinWords) && !p.StartsWith("* ", StringComparison.Ordinal) ? p : null)));
}
