using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using UrlShortener.Core.Links;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// Inserts new links into the <c>links</c> table through statements prepared once per transaction and bound by
/// position. Microsoft.Data.Sqlite looks every parameter up by its name on every execution (a fifth of a bulk
/// create's CPU, in the writer's turn): this uses SQLitePCLRaw, the binding beneath it, on the same connection.
/// </summary>
internal sealed class LinkRowInserter : IDisposable
{
    // Both statements take the row's values in this order; ?1 is the key where the statement takes one.
    private const string Values = "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20";

    // At its key: a conflict is a code taken (by a generated link or an alias of the same shape).
    private const string AtKeySql = $"INSERT INTO links (seq, {SqliteLinkStore.Columns}) VALUES (?1, {Values}) ON CONFLICT DO NOTHING;";

    // Found by its code: the next negative key; links_by_code refuses a code taken.
    private const string ByCodeSql = $"INSERT INTO links (seq, {SqliteLinkStore.Columns}) VALUES (MIN(IFNULL((SELECT MIN(seq) FROM links), 0), 0) - 1, {Values}) ON CONFLICT DO NOTHING;";

    private static readonly byte[] NoTags = "[]"u8.ToArray();

    private readonly sqlite3 _database;
    private readonly LinkRowKeys _rowKeys;
    private sqlite3_stmt? _atKey;
    private sqlite3_stmt? _byCode;
    private byte[] _text = new byte[512];

    public LinkRowInserter(SqliteConnection connection, LinkRowKeys rowKeys)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _rowKeys = rowKeys;
    }

    /// <summary>Inserts <paramref name="link"/> unless its code is taken; true if it was inserted.</summary>
    public bool TryInsert(ShortLink link)
    {
        var key = _rowKeys.Of(link.Code);
        var statement = key >= 0 ? _atKey ??= Prepare(AtKeySql) : _byCode ??= Prepare(ByCodeSql);
        try
        {
            if (key >= 0)
            {
                Check(raw.sqlite3_bind_int64(statement, 1, key));
            }

            Text(statement, 2, link.Code);
            Text(statement, 3, link.Owner);
            Text(statement, 4, link.Url);
            Integer(statement, 5, link.CreatedAt.ToUnixTimeMilliseconds());
            Integer(statement, 6, link.UpdatedAt.ToUnixTimeMilliseconds());
            Integer(statement, 7, link.ExpiresAt?.ToUnixTimeMilliseconds());
            Integer(statement, 8, link.MaxClicks);
            Integer(statement, 9, (int)link.RedirectType);
            Text(statement, 10, link.FallbackUrl);
            Integer(statement, 11, link.ForwardQuery ? 1 : 0);
            Bytes(statement, 12, link.Tags.Count == 0 ? NoTags : JsonSerializer.SerializeToUtf8Bytes(link.Tags, SqliteJsonContext.Default.IReadOnlyListString));
            Integer(statement, 13, link.IsCustomAlias ? 1 : 0);
            Integer(statement, 14, link.Disabled ? 1 : 0);
            Integer(statement, 15, link.DeletedAt?.ToUnixTimeMilliseconds());
            Integer(statement, 16, link.Revision);
            Integer(statement, 17, link.ExhaustedAt?.ToUnixTimeMilliseconds());
            Text(statement, 18, link.Title);
            if (link.Utm is { } utm)
            {
                Bytes(statement, 19, JsonSerializer.SerializeToUtf8Bytes(utm, SqliteJsonContext.Default.UtmTags));
            }
            else
            {
                Check(raw.sqlite3_bind_null(statement, 19));
            }

            Text(statement, 20, link.PasswordHash);
            var step = raw.sqlite3_step(statement);
            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, _database);
            }

            return raw.sqlite3_changes(_database) == 1;
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    public void Dispose()
    {
        _atKey?.Dispose();
        _byCode?.Dispose();
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_database, sql, out var statement));
        return statement;
    }

    private void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(statement, index));
            return;
        }

        // An empty span may pin to a null pointer, which SQLite binds as NULL: the empty string goes as a string.
        if (value.Length == 0)
        {
            Check(raw.sqlite3_bind_text(statement, index, string.Empty));
            return;
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _text.Length)
        {
            _text = new byte[Math.Max(length, _text.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(value, _text);
        Bytes(statement, index, _text.AsSpan(0, written));
    }

    // SQLite copies the text (SQLITE_TRANSIENT), so the buffer is free again once the call returns.
    private void Bytes(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(statement, index, utf8));

    private void Integer(sqlite3_stmt statement, int index, long? value) =>
        Check(value is { } number ? raw.sqlite3_bind_int64(statement, index, number) : raw.sqlite3_bind_null(statement, index));

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _database);
        }
    }
}
