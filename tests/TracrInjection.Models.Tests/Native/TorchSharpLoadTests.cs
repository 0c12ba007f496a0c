using TorchSharp;
using static TorchSharp.torch;

namespace TracrInjection.Models.Tests.Native;

public class TorchSharpLoadTests
{
    [Fact]
    public void MatmulOfSmallTensorsGivesExpectedValues()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        using var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        using var c = matmul(a, b);

        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void OutputCopyOfNativeWrapperHasWeakGlibcxxRequirement()
    {
        string so = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(so)) return;

        // null means a future TorchSharp no longer asks for the version, which is fine too.
        Assert.NotEqual(false, TracrInjection.Models.Native.ElfVersionNeeds.IsWeak(so, "GLIBCXX_3.4.32"));
    }
}
