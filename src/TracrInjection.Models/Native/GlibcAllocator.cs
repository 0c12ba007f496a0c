using System.Runtime.InteropServices;

namespace TracrInjection.Models.Native;

/// <summary>
/// Keeps freed memory in the process instead of returning it to the kernel. libtorch frees and
/// reallocates the same large buffers every training step (a [batch·time, 50257] logits tensor is
/// hundreds of MB); glibc serves each from a fresh mmap and unmaps it on free, so every step pays
/// page faults and zeroing for all of them. On a 2-core machine that made a GPT-2 training step
/// about five times slower. With mmap off and trimming off, glibc reuses its heap.
/// Effective for allocations made after the call; a no-op off glibc.
/// </summary>
public static class GlibcAllocator
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_TOP_PAD = -2;
    const int M_MMAP_MAX = -4;

    static int _applied;

    /// <summary>Returns whether the settings were applied (Linux with glibc).</summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Interlocked.Exchange(ref _applied, 1) == 1) return true;
        try
        {
            return mallopt(M_MMAP_MAX, 0) == 1
                   & mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1
                   & mallopt(M_TOP_PAD, 256 << 20) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
