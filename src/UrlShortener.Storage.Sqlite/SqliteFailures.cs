using Microsoft.Data.Sqlite;
using UrlShortener.Core;

namespace UrlShortener.Storage.Sqlite;

/// <summary>Turns SQLite's errors into the core's: a store that could not answer (busy past the wait, full, I/O).</summary>
internal static class SqliteFailures
{
    public const string Store = "sqlite";

    public static StoreUnavailableException Unavailable(SqliteException exception) =>
        new(Store, $"The embedded database failed: {exception.Message}", exception);

    public static Task<T> Guard<T>(Task<T> call) => StoreFailures.Translate(call, Translate);

    public static Task Guard(Task call) => StoreFailures.Translate(call, Translate);

    private static StoreUnavailableException? Translate(Exception exception) =>
        exception is SqliteException sqlite ? Unavailable(sqlite) : null;
}
