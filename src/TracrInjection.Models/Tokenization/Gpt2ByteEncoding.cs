using System.Text;

namespace TracrInjection.Models.Tokenization;

/// <summary>
/// GPT-2's reversible map from bytes to printable characters (<c>bytes_to_unicode</c>): printable
/// Latin-1 bytes map to themselves, the other 68 to U+0100 onwards (space becomes 'Ġ'). vocab.json
/// and merges.txt spell tokens in this alphabet.
/// </summary>
public static class Gpt2ByteEncoding
{
    static readonly char[] ByteToChar = BuildTable();
    static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    static char[] BuildTable()
    {
        var table = new char[256];
        var assigned = new bool[256];
        foreach (var (lo, hi) in new[] { ('!', '~'), ('\u00A1', '\u00AC'), ('\u00AE', '\u00FF') })
            for (int b = lo; b <= hi; b++) { table[b] = (char)b; assigned[b] = true; }
        int next = 256;
        for (int b = 0; b < 256; b++)
            if (!assigned[b]) table[b] = (char)next++;
        return table;
    }

    public static char Encode(byte b) => ByteToChar[b];

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    public static string EncodeText(string text) => Encode(Encoding.UTF8.GetBytes(text));

    public static byte[] Decode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
            bytes[i] = CharToByte.TryGetValue(token[i], out var b) ? b
                : throw new ArgumentException($"'{token}' contains '{token[i]}', which is not in GPT-2's byte alphabet.", nameof(token));
        return bytes;
    }
}
