using System.Runtime.InteropServices;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>
/// glibc's malloc after <see cref="NativeHeap.LimitRetention"/>. Its counts are the whole process's, so this runs
/// alone: a test beside it mapping a block of its own made the count after the frees higher than before (seen once).
/// </summary>
[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    [Fact]
    public void Blocks_of_jit_slab_size_are_mapped_on_their_own_once_the_arena_has_no_room_left()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(NativeHeap.LimitRetention());
            return;
        }

        Assert.True(NativeHeap.LimitRetention());

        // 100 KB is under glibc's default threshold (128 KB): by default every one of these would grow an
        // arena and stay there when freed. 1,000 of them are more than any arena's free top can hold.
        const int Count = 1_000;
        var before = MallInfo2().MappedBlocks;
        var blocks = new IntPtr[Count];
        for (var i = 0; i < Count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(100 * 1024);
        }

        var mapped = MallInfo2().MappedBlocks - before;
        foreach (var block in blocks)
        {
            Marshal.FreeHGlobal(block);
        }

        Assert.True(mapped >= Count / 4, $"{mapped} of {Count} blocks were mapped on their own");
        Assert.True(MallInfo2().MappedBlocks <= before, "the mapped blocks are unmapped when freed");
    }

    private static MallocStatistics MallInfo2() => mallinfo2();

    // DllImport: the struct is blittable, and this project has no unsafe code for LibraryImport.
    [DllImport("libc", ExactSpelling = true)]
    private static extern MallocStatistics mallinfo2();

    /// <summary><c>struct mallinfo2</c> of <c>&lt;malloc.h&gt;</c>, glibc 2.33 and later.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocStatistics
    {
        private readonly nuint _arena;
        private readonly nuint _ordblks;
        private readonly nuint _smblks;
        private readonly nuint _hblks;
        private readonly nuint _hblkhd;
        private readonly nuint _usmblks;
        private readonly nuint _fsmblks;
        private readonly nuint _uordblks;
        private readonly nuint _fordblks;
        private readonly nuint _keepcost;

        /// <summary><c>hblks</c>: blocks mapped on their own (mmap), not in an arena.</summary>
        public long MappedBlocks => (long)_hblks;
    }
}

[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class RunsAloneWithTheNativeHeapTests;
