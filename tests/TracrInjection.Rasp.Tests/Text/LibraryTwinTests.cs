using System.Reflection;
using TracrInjection.Rasp.Library;
using TracrInjection.Rasp.Text;

namespace TracrInjection.Rasp.Tests.Text;

/// <summary>
/// The C# library (<see cref="Lib"/>) is the program library's source of truth; the bundled <c>tracr_lib.rasp</c> is a
/// view of it for textual programs. This fails when one gains or loses a function the other lacks. (That the
/// functions build the same programs is checked where the registry's <c>.rasp</c> twins, which use them, compile to
/// the registered programs' exact models: <c>RaspTextRoundTripTests</c>.)
/// </summary>
public class LibraryTwinTests
{
    // tracr spells this one without the underscore before "map".
    private static readonly Dictionary<string, string> TracrSpelling = new() { ["MakeNarySequenceMap"] = "make_nary_sequencemap" };

    private static string SnakeCase(string name) =>
        TracrSpelling.TryGetValue(name, out var s) ? s : string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    [Fact]
    public void TracrLibRaspDefinesExactlyTheCSharpLibrary()
    {
        var csharp = typeof(Lib).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName).Select(m => SnakeCase(m.Name)).ToHashSet();
        var text = RaspProgramText.Parse("load \"tracr_lib\";\n").Globals
            .Where(kv => kv.Value is UserFunction).Select(kv => kv.Key).ToHashSet();
        Assert.Empty(csharp.Except(text));
        Assert.Empty(text.Except(csharp));
    }
}
