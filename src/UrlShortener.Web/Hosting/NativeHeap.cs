using System.Runtime.InteropServices;

namespace UrlShortener.Web.Hosting;

/// <summary>
/// One setting of glibc's malloc, which the runtime's native code uses (the JIT above all), made before the
/// app starts its work: blocks of 64 KB and more are mapped on their own and unmapped when freed, so that a
/// large JIT compilation does not stay in the process's RSS for good (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// <c>MALLOC_MMAP_THRESHOLD_</c>, when the operator set it, wins. Elsewhere than Linux with glibc (musl
/// has no <c>mallopt</c>) this does nothing.
/// </remarks>
public static partial class NativeHeap
{
    public const int MapThresholdBytes = 64 * 1024;

    // <malloc.h>
    private const int MmapThreshold = -3;

    /// <summary>Applies the setting; true when it is in force (set here or by the operator).</summary>
    public static bool LimitRetention()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
        {
            return true;
        }

        try
        {
            return Mallopt(MmapThreshold, MapThresholdBytes) == 1;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
