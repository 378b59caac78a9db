using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// Waits for another process's write lock in steps of a millisecond. The bundled e_sqlite3 is built
/// without usleep, so SQLite's own busy_timeout sleeps whole seconds per retry: two processes on one
/// file then starve each other (10,000 creates took minutes). This handler retries for up to
/// <see cref="MaxWait"/>, then lets the statement fail with SQLITE_BUSY.
/// </summary>
internal static unsafe partial class SqliteBusyHandler
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    public static void Install(SqliteConnection connection)
    {
        var result = sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), &OnBusy, IntPtr.Zero);
        if (result != 0)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler failed with code {result}.");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(IntPtr state, int attempt)
    {
        // The first retries only yield: a write transaction here lasts tens of microseconds.
        if (attempt < 16)
        {
            Thread.Yield();
            return 1;
        }

        Thread.Sleep(1);
        return attempt < MaxWait.TotalMilliseconds ? 1 : 0;
    }

    [LibraryImport("e_sqlite3")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int sqlite3_busy_handler(IntPtr database, delegate* unmanaged[Cdecl]<IntPtr, int, int> handler, IntPtr state);
}
