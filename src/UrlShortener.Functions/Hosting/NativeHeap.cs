using System.Runtime.InteropServices;

namespace UrlShortener.Functions.Hosting;

/// <summary>
/// One setting of glibc's malloc, which the runtime's native code uses (the JIT above all, then OpenSSL
/// and SQLite), made before the app starts its work (README "Benchmarks", Memory): blocks of 64 KB and
/// more are mapped on their own and unmapped when freed. The JIT takes its memory in 64 KB slabs.
/// Compiling one of the Cosmos DB SDK's giant methods at tier 1 took 15 MB at once, and glibc kept it
/// in the thread's arena for the life of the process: about 10 MB of the Cosmos DB app's peak RSS.
/// </summary>
/// <remarks>
/// <c>MALLOC_MMAP_THRESHOLD_</c>, when the operator set it, wins. Elsewhere than Linux with glibc (musl
/// has no <c>mallopt</c>) this does nothing. Fewer arenas (<c>M_ARENA_MAX</c>) saved 2 to 4 MB more,
/// but shorten on the embedded store looked slower with both, so it is left at glibc's default.
/// </remarks>
internal static partial class NativeHeap
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
