using UrlShortener.Core.Clicks;

namespace UrlShortener.Storage.Sqlite;

/// <summary>The embedded click queue (the default when Service Bus is not configured): click messages in the SQLite file, in order.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the click queue the design names; it is no System.Collections queue.")]
public sealed class SqliteClickQueue(SqliteDatabase database, TimeProvider clock) : IClickPublisher, IClickQueue
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS click_queue (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id  TEXT    NOT NULL UNIQUE,
            body        TEXT    NOT NULL,
            enqueued_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS click_dead_letters (
            seq              INTEGER PRIMARY KEY,
            message_id       TEXT    NOT NULL,
            body             TEXT    NOT NULL,
            reason           TEXT    NOT NULL,
            description      TEXT    NOT NULL,
            dead_lettered_at INTEGER NOT NULL
        );
        """;

    public Task PublishAsync(string batchId, IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            // A batch sent again after a failure that had in fact committed is already there.
            command.CommandText = "INSERT OR IGNORE INTO click_queue (message_id, body, enqueued_at) VALUES ($id, $body, $at);";
            command.Parameters.AddWithValue("$id", batchId);
            command.Parameters.AddWithValue("$body", ClickMessage.Serialize(clicks));
            command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken));

    /// <remarks>One drain reads this queue (the app's own), so a message needs no lock: it stays first until settled. Nothing waits for a message.</remarks>
    public Task<IReadOnlyList<QueuedClickMessage>> ReceiveAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(PeekAsync(maxMessages, cancellationToken));

    /// <summary>Nothing to give back: the message stays where it is and the next round takes it again.</summary>
    public Task AbandonAsync(QueuedClickMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeadLetterAsync(QueuedClickMessage message, string reason, string description, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT OR IGNORE INTO click_dead_letters (seq, message_id, body, reason, description, dead_lettered_at)
                    SELECT seq, message_id, body, $reason, $description, $at FROM click_queue WHERE seq = $seq;
                DELETE FROM click_queue WHERE seq = $seq;
                """;
            command.Parameters.AddWithValue("$seq", message.SequenceNumber);
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$description", description);
            command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken));

    public Task CompleteAsync(QueuedClickMessage message, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM click_queue WHERE seq = $seq;";
            command.Parameters.AddWithValue("$seq", message.SequenceNumber);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken));

    private async Task<IReadOnlyList<QueuedClickMessage>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, message_id, body FROM click_queue ORDER BY seq LIMIT $count;";
        command.Parameters.AddWithValue("$count", count);
        var messages = new List<QueuedClickMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(new QueuedClickMessage(reader.GetString(1), reader.GetString(2), reader.GetInt64(0)));
        }

        return messages;
    }
}
