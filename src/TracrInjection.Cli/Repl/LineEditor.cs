using System.Text;

namespace TracrInjection.Cli.Repl;

/// <summary>
/// A small line editor for an interactive terminal (Console.ReadKey): left/right, Home/End (Ctrl+A/E), Backspace/Delete,
/// Ctrl+U (clear), Up/Down through the history, Ctrl+C (drop the line), Ctrl+D on an empty line (end of input).
/// </summary>
public sealed class LineEditor(IReadOnlyList<string> history)
{
    public string? ReadLine(string prompt)
    {
        var buf = new StringBuilder();
        int cursor = 0;
        int histIndex = history.Count;
        string pending = "";
        Console.Write(prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            bool ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return buf.ToString();
                case ConsoleKey.Backspace:
                    if (cursor > 0) { buf.Remove(cursor - 1, 1); cursor--; }
                    break;
                case ConsoleKey.Delete:
                    if (cursor < buf.Length) buf.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow:
                    if (cursor > 0) cursor--;
                    break;
                case ConsoleKey.RightArrow:
                    if (cursor < buf.Length) cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = buf.Length;
                    break;
                case ConsoleKey.UpArrow:
                case ConsoleKey.DownArrow:
                {
                    if (history.Count == 0) break;
                    if (histIndex == history.Count) pending = buf.ToString();
                    histIndex = key.Key == ConsoleKey.UpArrow ? Math.Max(0, histIndex - 1) : Math.Min(history.Count, histIndex + 1);
                    buf.Clear().Append(histIndex == history.Count ? pending : history[histIndex]);
                    cursor = buf.Length;
                    break;
                }
                default:
                    if (ctrl && key.Key == ConsoleKey.A) cursor = 0;
                    else if (ctrl && key.Key == ConsoleKey.E) cursor = buf.Length;
                    else if (ctrl && key.Key == ConsoleKey.U) { buf.Clear(); cursor = 0; }
                    else if (ctrl && key.Key == ConsoleKey.C)
                    {
                        Console.WriteLine("^C");
                        return "";
                    }
                    else if (ctrl && key.Key == ConsoleKey.D)
                    {
                        if (buf.Length == 0) { Console.WriteLine(); return null; }
                        if (cursor < buf.Length) buf.Remove(cursor, 1);
                    }
                    else if (key.Key == ConsoleKey.Tab) { buf.Insert(cursor, "    "); cursor += 4; }
                    else if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar)) { buf.Insert(cursor, key.KeyChar); cursor++; }
                    break;
            }
            Redraw(prompt, buf, cursor);
        }
    }

    private static void Redraw(string prompt, StringBuilder buf, int cursor)
    {
        // carriage return, prompt and text, clear to the end of the line, then move the cursor back into place
        var sb = new StringBuilder().Append('\r').Append(prompt).Append(buf).Append("\u001b[K");
        int back = buf.Length - cursor;
        if (back > 0) sb.Append("\u001b[").Append(back).Append('D');
        Console.Write(sb.ToString());
    }
}
