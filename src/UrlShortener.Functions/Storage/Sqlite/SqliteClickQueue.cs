using Microsoft.Data.Sqlite;
using UrlShortener.Core.Clicks;
using UrlShortener.Functions.Clicks;

namespace UrlShortener.Functions.Storage.Sqlite;

/// <summary>The embedded click queue (the default when Service Bus is not configured): click messages in the SQLite file, in order.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the click queue the design names; it is no System.Collections queue.")]
public sealed class SqliteClickQueue(SqliteDatabase database) : IClickPublisher
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS click_queue (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id  TEXT    NOT NULL UNIQUE,
            body        TEXT    NOT NULL,
            enqueued_at INTEGER NOT NULL
        );
        """;

    public Task PublishAsync(IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO click_queue (message_id, body, enqueued_at) VALUES ($id, $body, $at);";
            command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
            command.Parameters.AddWithValue("$body", ClickMessage.Serialize(clicks));
            command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>The oldest queued messages, in order.</summary>
    public async Task<IReadOnlyList<(long Seq, string MessageId, string Body)>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, message_id, body FROM click_queue ORDER BY seq LIMIT $count;";
        command.Parameters.AddWithValue("$count", count);
        var messages = new List<(long, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return messages;
    }

    public Task RemoveAsync(long seq, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM click_queue WHERE seq = $seq;";
            command.Parameters.AddWithValue("$seq", seq);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
}
