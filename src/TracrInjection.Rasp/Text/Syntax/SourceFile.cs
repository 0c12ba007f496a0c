namespace TracrInjection.Rasp.Text;

/// <summary>One RASP source text: its display name, its directory (for relative <c>load</c>s) and its lines.</summary>
public sealed class SourceFile
{
    private readonly string[] _lines;
    private readonly int[] _lineStarts;

    public SourceFile(string name, string text, string? directory = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Text = (text ?? throw new ArgumentNullException(nameof(text))).Replace("\r\n", "\n").Replace('\r', '\n');
        Directory = directory;
        _lines = Text.Split('\n');
        _lineStarts = new int[_lines.Length];
        for (int i = 1; i < _lines.Length; i++) _lineStarts[i] = _lineStarts[i - 1] + _lines[i - 1].Length + 1;
    }

    /// <summary>Character offset of a 1-based line and column (clamped to the text).</summary>
    public int Offset(int line, int column) =>
        line < 1 ? 0 : line > _lines.Length ? Text.Length : Math.Min(_lineStarts[line - 1] + column - 1, Text.Length);

    /// <summary>The name errors show (the path as the user gave it, or e.g. <c>&lt;repl&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>Normalised text (line ends are <c>\n</c>).</summary>
    public string Text { get; }

    /// <summary>Folder that relative <c>load</c> paths start from; null = the current directory.</summary>
    public string? Directory { get; }

    /// <summary>The 1-based line <paramref name="line"/> without its line end ("" when out of range).</summary>
    public string Line(int line) => line >= 1 && line <= _lines.Length ? _lines[line - 1] : "";

    public int LineCount => _lines.Length;
}

/// <summary>A place in a source: 1-based line and column (a tab counts as one column).</summary>
public readonly record struct SourcePos(SourceFile File, int Line, int Column)
{
    public override string ToString() => $"{File.Name}:{Line}:{Column}";
}
