using System.Text.Json;
using Microsoft.Data.Sqlite;
using UrlShortener.Core.Links;

namespace UrlShortener.Storage.Sqlite;

/// <summary>Short links in the embedded database, one row each, keyed by <see cref="LinkRowKeys"/>; deleted links keep their row.</summary>
public sealed class SqliteLinkStore(SqliteDatabase database, LinkRowKeys rowKeys) : ILinkStore
{
    internal const string Columns =
        "code, owner, url, created_at, updated_at, expires_at, max_clicks, redirect_type, fallback_url, forward_query, tags, is_alias, disabled, deleted_at, revision, exhausted_at, title, utm, password_hash";

    private const string FindAtKeySql = $"SELECT {Columns} FROM links WHERE seq = $seq AND code = $code;";

    private const string FindByCodeSql = $"SELECT {Columns} FROM links WHERE seq < 0 AND code = $code;";

    // Creates come in bursts from many callers at once: they share group commits.
    public Task<bool> TryCreateAsync(ShortLink link, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteGroupedAsync((connection, _) =>
        {
            using var writer = new LinkRowWriter(connection, rowKeys);
            return writer.TryInsert(link);
        }));

    // A whole bulk create in one transaction holds the writer for milliseconds; a commit per chunk cost its turn more than the rows.
    public int CreateManyBatchSize => 1000;

    // A bulk create's chunk is one transaction: one commit for all of its rows, through statements prepared once.
    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<ShortLink> links, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteInTransactionAsync((connection, _, _) =>
        {
            using var writer = new LinkRowWriter(connection, rowKeys);
            var created = new bool[links.Count];
            for (var i = 0; i < links.Count; i++)
            {
                created[i] = writer.TryInsert(links[i]);
            }

            return Task.FromResult<IReadOnlyList<bool>>(created);
        }, cancellationToken));

    // SQLite answers a point read in microseconds and Microsoft.Data.Sqlite's async methods run
    // synchronously anyway: the read is done on the caller's thread with a statement kept prepared.
    public Task<ShortLink?> FindAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(rowKeys.Of(code) is var key and >= 0
                ? database.ReadPrepared(FindAtKeySql, "$code", code, "$seq", key, static row => row is null ? null : Read(row))
                : database.ReadPrepared(FindByCodeSql, "$code", code, static row => row is null ? null : Read(row)));
        }
        catch (SqliteException exception)
        {
            return Task.FromException<ShortLink?>(SqliteFailures.Unavailable(exception));
        }
    }

    public Task<bool> TryReplaceAsync(ShortLink current, ShortLink updated, CancellationToken cancellationToken) => SqliteFailures.Guard(
        database.WriteAsync((connection, _) =>
        {
            using var writer = new LinkRowWriter(connection, rowKeys);
            return Task.FromResult(writer.TryReplace(updated, current.Revision));
        }, cancellationToken));

    public Task<IReadOnlyList<ShortLink>> ListByOwnerAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(ListAsync(owner, limit, after, cancellationToken));

    private async Task<IReadOnlyList<ShortLink>> ListAsync(string owner, int limit, LinkCursor? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var page = after is null
            ? string.Empty
            : "AND (created_at < $after_created_at OR (created_at = $after_created_at AND code < $after_code))";
        command.CommandText = $"""
            SELECT {Columns} FROM links INDEXED BY links_by_owner
            WHERE owner = $owner AND deleted_at IS NULL {page}
            ORDER BY created_at DESC, code DESC
            LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$limit", limit);
        if (after is { } cursor)
        {
            command.Parameters.AddWithValue("$after_created_at", cursor.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$after_code", cursor.Code);
        }

        var links = new List<ShortLink>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links.Add(Read(reader));
        }

        return links;
    }

    private static ShortLink Read(SqliteDataReader reader) => new()
    {
        Code = reader.GetString(0),
        Owner = reader.GetString(1),
        Url = reader.GetString(2),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        ExpiresAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        MaxClicks = reader.IsDBNull(6) ? null : reader.GetInt64(6),
        RedirectType = (RedirectType)reader.GetInt32(7),
        FallbackUrl = reader.IsDBNull(8) ? null : reader.GetString(8),
        ForwardQuery = reader.GetBoolean(9),
        Tags = JsonSerializer.Deserialize(reader.GetString(10), SqliteJsonContext.Default.IReadOnlyListString) ?? [],
        IsCustomAlias = reader.GetBoolean(11),
        Disabled = reader.GetBoolean(12),
        DeletedAt = reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
        Revision = reader.GetInt64(14),
        ExhaustedAt = reader.IsDBNull(15) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
        Title = reader.IsDBNull(16) ? null : reader.GetString(16),
        Utm = reader.IsDBNull(17) ? null : JsonSerializer.Deserialize(reader.GetString(17), SqliteJsonContext.Default.UtmTags),
        PasswordHash = reader.IsDBNull(18) ? null : reader.GetString(18),
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(UtmTags))]
internal sealed partial class SqliteJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
