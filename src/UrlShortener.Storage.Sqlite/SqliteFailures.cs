using Microsoft.Data.Sqlite;
using UrlShortener.Core;

namespace UrlShortener.Storage.Sqlite;

/// <summary>Turns SQLite's errors into the core's: a store that could not answer (busy past the wait, full, I/O).</summary>
internal static class SqliteFailures
{
    public const string Store = "sqlite";

    public static StoreUnavailableException Unavailable(SqliteException exception) =>
        new(Store, $"The embedded database failed: {exception.Message}", exception);

    public static async Task<T> Guard<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            throw Unavailable(exception);
        }
    }

    public static async Task Guard(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            throw Unavailable(exception);
        }
    }
}
