using UrlShortener.Core.Keys;

namespace UrlShortener.Storage.Sqlite;

/// <summary>The embedded key-generation function: one counter row, advanced atomically.</summary>
public sealed class SqliteKeyRangeSource(SqliteDatabase database) : IKeyRangeSource
{
    // The range counts as drawn only once the counter's new value is committed: a value read back
    // from a commit that failed (a full disk) would hand the same range out again.
    public Task<KeyRange> AcquireAsync(int count, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteInTransactionAsync(async (connection, transaction, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE key_counters SET next_value = next_value + $count WHERE name = 'links' RETURNING next_value;";
            command.Parameters.AddWithValue("$count", count);
            var end = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false) ?? throw new InvalidOperationException("The key counter row is missing."));
            return new KeyRange((ulong)(end - count), count);
        }, cancellationToken));
}
