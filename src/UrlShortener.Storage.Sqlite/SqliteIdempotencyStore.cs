using Microsoft.Data.Sqlite;
using UrlShortener.Core.Idempotency;

namespace UrlShortener.Storage.Sqlite;

/// <summary>Idempotency keys in the embedded database, one row per (owner, operation, key); expired rows are purged as new keys come.</summary>
public sealed class SqliteIdempotencyStore(SqliteDatabase database) : IIdempotencyStore
{
    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            owner        TEXT    NOT NULL,
            operation    TEXT    NOT NULL,
            key          TEXT    NOT NULL,
            fingerprint  BLOB    NOT NULL,
            token        TEXT    NULL,
            locked_until INTEGER NOT NULL,
            status       INTEGER NULL,
            content_type TEXT    NULL,
            location     TEXT    NULL,
            body         BLOB    NULL,
            expires_at   INTEGER NOT NULL,
            PRIMARY KEY (owner, operation, key)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS idempotency_keys_by_expiry ON idempotency_keys (expires_at);
        """;

    // Each claim purges a few expired keys: the table stays at about a day of keys without a sweeper.
    private const int PurgePerClaim = 16;

    public Task<IdempotencyClaim> ClaimAsync(IdempotencyScope scope, byte[] fingerprint, DateTimeOffset now, TimeSpan lease, TimeSpan retention, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(database.WriteInTransactionAsync(async (connection, transaction, ct) =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            await using (var purge = connection.CreateCommand())
            {
                purge.Transaction = transaction;
                purge.CommandText = "DELETE FROM idempotency_keys WHERE (owner, operation, key) IN (SELECT owner, operation, key FROM idempotency_keys WHERE expires_at <= $now LIMIT $limit);";
                purge.Parameters.AddWithValue("$now", nowMs);
                purge.Parameters.AddWithValue("$limit", PurgePerClaim);
                await purge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = """
                SELECT fingerprint, token, locked_until, status, content_type, location, body
                FROM idempotency_keys WHERE owner = $owner AND operation = $operation AND key = $key;
                """;
            Bind(read, scope);
            IdempotencyClaim? found = null;
            await using (var row = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (await row.ReadAsync(ct).ConfigureAwait(false))
                {
                    var stored = (byte[])row[0];
                    if (!stored.AsSpan().SequenceEqual(fingerprint))
                    {
                        found = new IdempotencyClaim.Mismatch();
                    }
                    else if (!row.IsDBNull(3))
                    {
                        found = new IdempotencyClaim.Replay(new IdempotentAnswer(
                            row.GetInt32(3),
                            row.IsDBNull(4) ? null : row.GetString(4),
                            row.IsDBNull(5) ? null : row.GetString(5),
                            row.IsDBNull(6) ? [] : (byte[])row[6]));
                    }
                    else if (!row.IsDBNull(1) && row.GetInt64(2) > nowMs)
                    {
                        found = new IdempotencyClaim.InProgress();
                    }
                }
            }

            if (found is not null)
            {
                return found;
            }

            // No row, or a claim nobody settled in time (or released): this request takes it.
            var token = Guid.NewGuid().ToString("N");
            await using var claim = connection.CreateCommand();
            claim.Transaction = transaction;
            claim.CommandText = """
                INSERT INTO idempotency_keys (owner, operation, key, fingerprint, token, locked_until, expires_at)
                VALUES ($owner, $operation, $key, $fingerprint, $token, $locked_until, $expires_at)
                ON CONFLICT (owner, operation, key) DO UPDATE SET
                    fingerprint = excluded.fingerprint, token = excluded.token,
                    locked_until = excluded.locked_until, expires_at = excluded.expires_at;
                """;
            Bind(claim, scope);
            claim.Parameters.AddWithValue("$fingerprint", fingerprint);
            claim.Parameters.AddWithValue("$token", token);
            claim.Parameters.AddWithValue("$locked_until", (now + lease).ToUnixTimeMilliseconds());
            claim.Parameters.AddWithValue("$expires_at", (now + retention).ToUnixTimeMilliseconds());
            await claim.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return (IdempotencyClaim)new IdempotencyClaim.Claimed(token);
        }, cancellationToken));

    public Task<bool> CompleteAsync(IdempotencyScope scope, string token, IdempotentAnswer answer, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE idempotency_keys SET status = $status, content_type = $content_type, location = $location, body = $body, token = NULL
                WHERE owner = $owner AND operation = $operation AND key = $key AND token = $token;
                """;
            Bind(command, scope);
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$status", answer.Status);
            command.Parameters.AddWithValue("$content_type", (object?)answer.ContentType ?? DBNull.Value);
            command.Parameters.AddWithValue("$location", (object?)answer.Location ?? DBNull.Value);
            command.Parameters.AddWithValue("$body", answer.Body);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken));

    public Task ReleaseAsync(IdempotencyScope scope, string token, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM idempotency_keys WHERE owner = $owner AND operation = $operation AND key = $key AND token = $token AND status IS NULL;";
            Bind(command, scope);
            command.Parameters.AddWithValue("$token", token);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken));

    private static void Bind(SqliteCommand command, IdempotencyScope scope)
    {
        command.Parameters.AddWithValue("$owner", scope.Owner);
        command.Parameters.AddWithValue("$operation", scope.Operation);
        command.Parameters.AddWithValue("$key", scope.Key);
    }
}
