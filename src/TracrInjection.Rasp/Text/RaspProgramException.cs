using System.Text;

namespace TracrInjection.Rasp.Text;

/// <summary>
/// An error in a RASP program, at a line and column of a file. <see cref="Exception.Message"/> is one line,
/// <c>file:line:col: message</c>; <see cref="Formatted"/> adds the source line and a caret under the column.
/// </summary>
public class RaspProgramException : Exception
{
    public RaspProgramException(SourcePos pos, string detail, Exception? inner = null)
        : base($"{pos.File.Name}:{pos.Line}:{pos.Column}: {detail}", inner)
    {
        FileName = pos.File.Name;
        Line = pos.Line;
        Column = pos.Column;
        Detail = detail;
        SourceLine = pos.File.Line(pos.Line);
    }

    /// <summary>The file's display name.</summary>
    public string FileName { get; }

    /// <summary>1-based line.</summary>
    public int Line { get; }

    /// <summary>1-based column (characters; a tab counts as one).</summary>
    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Detail { get; }

    /// <summary>The text of the offending line.</summary>
    public string SourceLine { get; }

    /// <summary>Calls that led here (innermost first), e.g. <c>in make_sort, called at main.rasp:12:5</c>.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>
    /// <c>file:line:col: message</c>, then the source line and a caret under the column (tabs kept so the caret lines
    /// up), then the notes.
    /// </summary>
    public string Formatted
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(Message).Append('\n');
            sb.Append("  ").Append(SourceLine).Append('\n');
            sb.Append("  ");
            for (int i = 0; i < Column - 1 && i < SourceLine.Length; i++) sb.Append(SourceLine[i] == '\t' ? '\t' : ' ');
            for (int i = SourceLine.Length; i < Column - 1; i++) sb.Append(' ');
            sb.Append('^');
            foreach (var n in Notes) sb.Append('\n').Append("  ").Append(n);
            return sb.ToString();
        }
    }
}

/// <summary>The text is not well-formed RASP (lexical or grammatical error).</summary>
public sealed class RaspSyntaxException(SourcePos pos, string detail) : RaspProgramException(pos, detail)
{
    /// <summary>True when the error is only that the input ended too early (the REPL then asks for more lines).</summary>
    public bool AtEndOfInput { get; init; }
}

/// <summary>The text is well-formed but building the program failed (unknown name, wrong argument, Python error...).</summary>
public sealed class RaspEvaluationException(SourcePos pos, string detail, Exception? inner = null) : RaspProgramException(pos, detail, inner);
