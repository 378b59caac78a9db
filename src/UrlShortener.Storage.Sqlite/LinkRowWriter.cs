using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using UrlShortener.Core.Links;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// Writes links' rows in the <c>links</c> table through statements prepared once per transaction and bound by
/// position: Microsoft.Data.Sqlite looks every parameter up by its name on every execution, which cost a bulk create
/// much of the writer's turn (docs/benchmarks.md). It uses SQLitePCLRaw, the binding beneath it, on the same connection.
/// </summary>
internal sealed class LinkRowWriter : IDisposable
{
    // The statements take a row's values in this order; ?1 is the key where the statement takes one.
    private const string Values = "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20";

    // At its key: a conflict is a code taken (by a generated link or an alias of the same shape).
    private const string AtKeySql = $"INSERT INTO links (seq, {SqliteLinkStore.Columns}) VALUES (?1, {Values}) ON CONFLICT DO NOTHING;";

    // Found by its code: the next negative key; links_by_code refuses a code taken.
    private const string ByCodeSql = $"INSERT INTO links (seq, {SqliteLinkStore.Columns}) VALUES (MIN(IFNULL((SELECT MIN(seq) FROM links), 0), 0) - 1, {Values}) ON CONFLICT DO NOTHING;";

    // Every column but the code, which with the key finds the row; ?21 is the revision the caller read.
    private const string ReplaceColumns = """
        UPDATE links SET
            owner = ?3, url = ?4, created_at = ?5, updated_at = ?6, expires_at = ?7, max_clicks = ?8, redirect_type = ?9,
            fallback_url = ?10, forward_query = ?11, tags = ?12, is_alias = ?13, disabled = ?14, deleted_at = ?15,
            revision = ?16, exhausted_at = ?17, title = ?18, utm = ?19, password_hash = ?20
        """;

    private const string ReplaceAtKeySql = $"{ReplaceColumns} WHERE seq = ?1 AND code = ?2 AND revision = ?21;";

    private const string ReplaceByCodeSql = $"{ReplaceColumns} WHERE seq < 0 AND code = ?2 AND revision = ?21;";

    private static readonly byte[] NoTags = "[]"u8.ToArray();

    private readonly sqlite3 _database;
    private readonly LinkRowKeys _rowKeys;
    private sqlite3_stmt? _atKey;
    private sqlite3_stmt? _byCode;
    private sqlite3_stmt? _replaceAtKey;
    private sqlite3_stmt? _replaceByCode;
    private byte[] _text = new byte[512];

    public LinkRowWriter(SqliteConnection connection, LinkRowKeys rowKeys)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _rowKeys = rowKeys;
    }

    /// <summary>Inserts <paramref name="link"/> unless its code is taken; true if it was inserted.</summary>
    public bool TryInsert(ShortLink link)
    {
        var key = _rowKeys.Of(link.Code);
        return Execute(key >= 0 ? _atKey ??= Prepare(AtKeySql) : _byCode ??= Prepare(ByCodeSql), key, link, expectedRevision: null);
    }

    /// <summary>Replaces the row of <paramref name="link"/>'s code with it if the row is still at <paramref name="expectedRevision"/>.</summary>
    public bool TryReplace(ShortLink link, long expectedRevision)
    {
        var key = _rowKeys.Of(link.Code);
        var statement = key >= 0
            ? _replaceAtKey ??= Prepare(ReplaceAtKeySql)
            : _replaceByCode ??= Prepare(ReplaceByCodeSql);
        return Execute(statement, key, link, expectedRevision);
    }

    // True when the statement changed a row.
    private bool Execute(sqlite3_stmt statement, long key, ShortLink link, long? expectedRevision)
    {
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
            if (expectedRevision is { } revision)
            {
                Check(raw.sqlite3_bind_int64(statement, 21, revision));
            }

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
        _replaceAtKey?.Dispose();
        _replaceByCode?.Dispose();
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
