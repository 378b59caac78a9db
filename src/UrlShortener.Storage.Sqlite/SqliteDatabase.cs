using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// The embedded store's database file: WAL mode, so readers never wait for the writer, and one
/// writer at a time inside this process, so concurrent requests queue here instead of spinning on
/// SQLite's busy lock. Other processes on the same file wait through <see cref="SqliteBusyHandler"/>.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    // A link's row key (seq) is its code unscrambled, so that new rows append to the table's B-tree instead of
    // landing on a random page of it; codes of another shape, found through links_by_code, take negative keys (LinkRowKeys).
    internal const string LinksTable = """
        CREATE TABLE IF NOT EXISTS links (
            seq           INTEGER PRIMARY KEY,
            code          TEXT    NOT NULL,
            owner         TEXT    NOT NULL,
            url           TEXT    NOT NULL,
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL,
            expires_at    INTEGER NULL,
            max_clicks    INTEGER NULL,
            redirect_type INTEGER NOT NULL,
            fallback_url  TEXT    NULL,
            forward_query INTEGER NOT NULL,
            tags          TEXT    NOT NULL,
            is_alias      INTEGER NOT NULL,
            disabled      INTEGER NOT NULL,
            deleted_at    INTEGER NULL,
            revision      INTEGER NOT NULL,
            exhausted_at  INTEGER NULL,
            title         TEXT    NULL,
            utm           TEXT    NULL,
            password_hash TEXT    NULL
        );
        """;

    private const string Schema = LinksTable + """
        -- The codes of rows not found by their key: aliases of another shape than a generated code's, and codes of another length.
        CREATE UNIQUE INDEX IF NOT EXISTS links_by_code ON links (code) WHERE seq < 0;
        -- Each owner's link index: newest first, deleted links left out.
        CREATE INDEX IF NOT EXISTS links_by_owner ON links (owner, created_at DESC, code DESC) WHERE deleted_at IS NULL;
        CREATE TABLE IF NOT EXISTS key_counters (
            name       TEXT    NOT NULL PRIMARY KEY,
            next_value INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO key_counters (name, next_value) VALUES ('links', 0);
        CREATE TABLE IF NOT EXISTS store_settings (
            name  TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        );
        """;

    // Connections that keep one read statement prepared, per statement: the redirect's point read
    // then costs a bind and a step, not an open, a PRAGMA and a parse (measured: docs/benchmarks.md).
    private const int PreparedPerStatement = 16;

    private readonly string _connectionString;
    private readonly Lock _schemaLock = new();
    private bool _schemaReady;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentDictionary<string, ConcurrentBag<PreparedRead>> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IGroupedWrite> _grouped = new();

    // Why the last write failed for want of storage (disk full, I/O error, read-only); null once one commits again.
    private volatile string? _storageFailure;

    static SqliteDatabase() => SQLitePCL.Batteries.Init();

    private readonly LinkRowKeys? _rowKeys;

    /// <param name="rowKeys">How a code maps to its row key; without it (a database of no links) every link is found by its code.</param>
    public SqliteDatabase(IOptions<EmbeddedOptions> options, IHostEnvironment environment, LinkRowKeys? rowKeys = null)
    {
        _rowKeys = rowKeys;
        FilePath = Path.GetFullPath(options.Value.DatabasePath, environment.ContentRootPath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>Why the last write could not be stored (the disk is full, say), or null while writes commit.</summary>
    public string? StorageFailure => _storageFailure;

    /// <summary>Creates the file and its tables unless done already; the app's start does it, and so does a first use that comes sooner.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        EnsureSchema();
        return Task.CompletedTask;
    }

    // A host may hand requests to the app before its hosted services have started (the Functions worker takes
    // invocations as soon as it is connected), so the first connection makes sure the tables exist.
    private void EnsureSchema()
    {
        if (Volatile.Read(ref _schemaReady))
        {
            return;
        }

        lock (_schemaLock)
        {
            if (_schemaReady)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using var connection = Connect();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
            MoveLinksToRowKeys(connection);
            command.CommandText = Schema + SqliteClickQueue.Schema + SqliteStatsStore.Schema + SqliteIdempotencyStore.Schema;
            command.ExecuteNonQuery();
            AddMissingColumns(connection);
            CheckRowKeys(connection);
            Volatile.Write(ref _schemaReady, true);
        }
    }

    // A file made before links had row keys keeps them in a table ordered by code (WITHOUT ROWID): copied once into
    // the keyed table, in one transaction that another process starting on the same file waits for.
    private void MoveLinksToRowKeys(SqliteConnection connection)
    {
        if (!LinksLackRowKeys(connection))
        {
            return;
        }

        // A plain BEGIN IMMEDIATE: the schema's own statements run on this connection without a transaction object.
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE;";
        command.ExecuteNonQuery();
        try
        {
            if (LinksLackRowKeys(connection))
            {
                CopyLinksToRowKeys(connection, command);
            }

            command.Parameters.Clear();
            command.CommandText = "COMMIT;";
            command.ExecuteNonQuery();
        }
        catch
        {
            command.Parameters.Clear();
            command.CommandText = "ROLLBACK;";
            command.ExecuteNonQuery();
            throw;
        }
    }

    private void CopyLinksToRowKeys(SqliteConnection connection, SqliteCommand command)
    {
        AddMissingColumns(connection);
        command.CommandText = "DROP INDEX IF EXISTS links_by_owner; ALTER TABLE links RENAME TO links_before_row_keys;" + LinksTable;
        command.ExecuteNonQuery();

        var codes = new List<string>();
        command.CommandText = "SELECT code FROM links_before_row_keys ORDER BY created_at, code;";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                codes.Add(reader.GetString(0));
            }
        }

        command.CommandText = $"INSERT INTO links (seq, {SqliteLinkStore.Columns}) SELECT $seq, {SqliteLinkStore.Columns} FROM links_before_row_keys WHERE code = $code;";
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var code = command.Parameters.Add("$code", SqliteType.Text);
        var byCode = 0L;
        foreach (var linkCode in codes)
        {
            var key = _rowKeys?.Of(linkCode) ?? LinkRowKeys.ByCode;
            seq.Value = key >= 0 ? key : --byCode;
            code.Value = linkCode;
            command.ExecuteNonQuery();
        }

        command.Parameters.Clear();
        command.CommandText = "DROP TABLE links_before_row_keys;";
        command.ExecuteNonQuery();
    }

    // Links are keyed by their codes unscrambled: under another code secret or length every key would be wrong, and
    // the links not found. Refusing to start says so; the first start on a file records the mapping.
    private void CheckRowKeys(SqliteConnection connection)
    {
        if (_rowKeys is null)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO store_settings (name, value) VALUES ('link_row_keys', $value); SELECT value FROM store_settings WHERE name = 'link_row_keys';";
        command.Parameters.AddWithValue("$value", _rowKeys.Fingerprint);
        if ((string?)command.ExecuteScalar() != _rowKeys.Fingerprint)
        {
            throw new InvalidOperationException(
                $"The embedded store {FilePath} was made with another Shortener:CodeSecret or Shortener:CodeLength: its links are kept by their codes under that mapping and would not be found. Start it with the secret and length it was made with.");
        }
    }

    private static bool LinksLackRowKeys(SqliteConnection connection)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'links') - (SELECT COUNT(*) FROM pragma_table_info('links') WHERE name = 'seq');";
        return Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    // Columns added since the first release, for a file made by an older version: (table, column, definition).
    private static readonly (string Table, string Column, string Definition)[] AddedColumns = [("links", "title", "TEXT NULL"), ("links", "utm", "TEXT NULL"), ("links", "password_hash", "TEXT NULL")];

    private static void AddMissingColumns(SqliteConnection connection)
    {
        foreach (var (table, column, definition) in AddedColumns)
        {
            using var probe = connection.CreateCommand();
            probe.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}';";
            if (Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                continue;
            }

            try
            {
                probe.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition};";
                probe.ExecuteNonQuery();
            }
            catch (SqliteException exception) when (exception.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
            {
                // Another process on the same file added it first.
            }
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Open();
        try
        {
            await using var command = connection.CreateCommand();

            // WAL with synchronous=NORMAL survives a crash of the app; only a power loss can drop the last commits.
            command.CommandText = "PRAGMA synchronous = NORMAL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="write"/> as this process's only writer.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            var result = await write(connection, CancellationToken.None).ConfigureAwait(false);
            NoteWrite(failure: null);
            return result;
        }
        catch (Exception exception)
        {
            NoteWrite(exception);
            throw;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> as this process's only writer in one transaction, and returns its
    /// result only once the commit is durable: a result read before a commit that failed (RETURNING on
    /// a full disk) never escapes.
    /// </summary>
    public Task<T> WriteInTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, ct) =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await write(connection, transaction, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    // Remembers why a write could not be stored (full, I/O error, read-only), and forgets it once one commits.
    private void NoteWrite(Exception? failure)
    {
        if (failure is null)
        {
            _storageFailure = null;
        }
        else if (failure is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN } sqlite)
        {
            _storageFailure = sqlite.Message;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a group commit: whoever holds the writer's turn commits every
    /// write queued by then in one transaction, each in a savepoint of its own (a write that throws
    /// undoes only itself). Concurrent creates then share a commit and its WAL writes instead of each
    /// paying for one (measured: docs/benchmarks.md). The write may still happen when the caller has given up waiting.
    /// </summary>
    public async Task<T> WriteGroupedAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        var pending = new GroupedWrite<T>(write);
        _grouped.Enqueue(pending);
        await _writer.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!pending.Result.IsCompleted)
            {
                await CommitGroupAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writer.Release();
        }

        return await pending.Result.ConfigureAwait(false);
    }

    // Holds the writer's turn.
    private async Task CommitGroupAsync()
    {
        var group = new List<IGroupedWrite>();
        while (_grouped.TryDequeue(out var write))
        {
            group.Add(write);
        }

        try
        {
            await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync().ConfigureAwait(false);
            foreach (var write in group)
            {
                write.Run(connection, transaction);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
            NoteWrite(failure: null);
        }
        catch (Exception exception)
        {
            NoteWrite(exception);
            foreach (var write in group)
            {
                write.Fail(exception);
            }

            return;
        }

        foreach (var write in group)
        {
            write.Complete();
        }
    }

    /// <summary>
    /// Runs a read-only statement with one parameter on a connection that keeps it prepared, and
    /// reads its first row (<paramref name="read"/> gets null when there is none).
    /// </summary>
    public T ReadPrepared<T>(string sql, string parameter, object value, Func<SqliteDataReader?, T> read) =>
        ReadPrepared(sql, parameter, value, null, null, read);

    /// <summary>The same with two parameters.</summary>
    public T ReadPrepared<T>(string sql, string parameter, object value, string? secondParameter, object? secondValue, Func<SqliteDataReader?, T> read)
    {
        var pool = _prepared.GetOrAdd(sql, static _ => []);
        if (!pool.TryTake(out var prepared))
        {
            prepared = PreparedRead.Create(Open(), sql, parameter, secondParameter);
        }

        T result;
        try
        {
            prepared.Parameter.Value = value;
            if (prepared.SecondParameter is { } second)
            {
                second.Value = secondValue;
            }

            using var reader = prepared.Command.ExecuteReader();
            result = read(reader.Read() ? reader : null);
        }
        catch
        {
            prepared.Dispose();
            throw;
        }

        if (pool.Count < PreparedPerStatement)
        {
            pool.Add(prepared);
        }
        else
        {
            prepared.Dispose();
        }

        return result;
    }

    public void Dispose()
    {
        _writer.Dispose();
        foreach (var prepared in _prepared.Values.SelectMany(pool => pool))
        {
            prepared.Dispose();
        }
    }

    // A connection that waits out other processes' locks. Reads use it as it is (PRAGMA synchronous
    // only matters to commits); OpenAsync adds the PRAGMA for writers.
    private SqliteConnection Open()
    {
        EnsureSchema();
        return Connect();
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            SqliteBusyHandler.Install(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private sealed class PreparedRead(SqliteConnection connection, SqliteCommand command, SqliteParameter parameter, SqliteParameter? secondParameter) : IDisposable
    {
        public SqliteCommand Command { get; } = command;

        public SqliteParameter Parameter { get; } = parameter;

        public SqliteParameter? SecondParameter { get; } = secondParameter;

        public static PreparedRead Create(SqliteConnection connection, string sql, string parameterName, string? secondParameterName)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            // No type: each execution binds the value as what it is.
            var parameter = command.CreateParameter();
            parameter.ParameterName = parameterName;
            command.Parameters.Add(parameter);
            SqliteParameter? second = null;
            if (secondParameterName is not null)
            {
                second = command.CreateParameter();
                second.ParameterName = secondParameterName;
                command.Parameters.Add(second);
            }

            command.Prepare();
            return new PreparedRead(connection, command, parameter, second);
        }

        public void Dispose()
        {
            Command.Dispose();
            connection.Dispose();
        }
    }

    private interface IGroupedWrite
    {
        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class GroupedWrite<T>(Func<SqliteConnection, SqliteTransaction, T> write) : IGroupedWrite
    {
        private const string Savepoint = "grouped_write";
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _value;
        private Exception? _error;

        public Task<T> Result => _result.Task;

        public void Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            transaction.Save(Savepoint);
            try
            {
                _value = write(connection, transaction);
                transaction.Release(Savepoint);
            }
            catch (Exception exception) when (exception is not SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 })
            {
                // This write's own failure (not busy, locked, I/O or full): undo it, keep the others.
                transaction.Rollback(Savepoint);
                transaction.Release(Savepoint);
                _error = exception;
            }
        }

        public void Complete()
        {
            if (_error is null)
            {
                _result.TrySetResult(_value!);
            }
            else
            {
                _result.TrySetException(_error);
            }
        }

        public void Fail(Exception exception) => _result.TrySetException(exception);
    }
}
