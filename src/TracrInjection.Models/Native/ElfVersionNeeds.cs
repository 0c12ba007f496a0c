using System.Buffers.Binary;
using System.Text;

namespace TracrInjection.Models.Native;

/// <summary>
/// Read-only view of the version requirements (<c>.gnu.version_r</c>) of an ELF64 little-endian
/// shared library. The build patches libLibTorchSharp.so (see build/README-native.md); this lets
/// the runtime and the tests tell whether that patch reached a given copy.
/// </summary>
public static class ElfVersionNeeds
{
    public const ushort VerFlagWeak = 0x2;

    public readonly record struct Requirement(string File, string Version, ushort Flags)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>All (needed file, version, flags) entries of the library at <paramref name="path"/>.</summary>
    public static IReadOnlyList<Requirement> Read(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw new InvalidDataException($"'{path}' is not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"'{path}' is not a little-endian ELF64 file.");

        var span = elf.AsSpan();
        long shoff = (long)U64(span, 0x28);
        int shentsize = U16(span, 0x3A), shnum = U16(span, 0x3C), shstrndx = U16(span, 0x3E);
        if (shoff <= 0 || shnum == 0 || shentsize < 64 || shstrndx >= shnum || shoff + (long)shnum * shentsize > elf.Length)
            throw new InvalidDataException($"'{path}' has no usable section header table.");

        long Sh(int i) => shoff + (long)i * shentsize;
        long shstr = (long)U64(span, Sh(shstrndx) + 24);

        var result = new List<Requirement>();
        for (int i = 0; i < shnum; i++)
        {
            if (CStr(span, shstr + U32(span, Sh(i))) != ".gnu.version_r") continue;
            long off = (long)U64(span, Sh(i) + 24);
            int link = (int)U32(span, Sh(i) + 40);
            int count = (int)U32(span, Sh(i) + 44);
            long dynstr = (long)U64(span, Sh(link) + 24);

            long need = off;
            for (int n = 0; n < count; n++)
            {
                string file = CStr(span, dynstr + U32(span, need + 4));
                int auxCount = U16(span, need + 2);
                long aux = need + U32(span, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    result.Add(new Requirement(file, CStr(span, dynstr + U32(span, aux + 8)), (ushort)U16(span, aux + 4)));
                    uint nextAux = U32(span, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint nextNeed = U32(span, need + 12);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
            break;
        }
        return result;
    }

    /// <summary>True/false when the library requires <paramref name="version"/>; null when it does not require it at all.</summary>
    public static bool? IsWeak(string path, string version)
    {
        foreach (var r in Read(path))
            if (r.Version == version) return r.IsWeak;
        return null;
    }

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long o, int n)
    {
        if (o < 0 || o + n > b.Length) throw new InvalidDataException("ELF structure runs past the end of the file.");
        return b.Slice((int)o, n);
    }

    static int U16(ReadOnlySpan<byte> b, long o) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, o, 2));
    static uint U32(ReadOnlySpan<byte> b, long o) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, o, 4));
    static ulong U64(ReadOnlySpan<byte> b, long o) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, o, 8));

    static string CStr(ReadOnlySpan<byte> b, long o)
    {
        if (o < 0 || o >= b.Length) throw new InvalidDataException("ELF string offset out of range.");
        var rest = b[(int)o..];
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
