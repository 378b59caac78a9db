using System.Globalization;
using Microsoft.Data.Sqlite;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Storage.Sqlite;

/// <summary>The embedded hourly stats in the SQLite file, applied once per message id.</summary>
public sealed class SqliteStatsStore(SqliteDatabase database, TimeProvider clock) : IStatsStore
{
    /// <summary>How often applying a message also forgets the ids older than <see cref="IStatsStore.RedeliveryWindow"/>.</summary>
    private static readonly TimeSpan ForgetEvery = TimeSpan.FromMinutes(10);

    // Unix ms after which the next apply forgets old ids; 0: the first apply does (written under the write lock).
    private long _forgetAfter;

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS stats_hours (
            code   TEXT    NOT NULL,
            day    TEXT    NOT NULL,
            hour   INTEGER NOT NULL,
            clicks INTEGER NOT NULL,
            PRIMARY KEY (code, day, hour)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stats_days (
            code TEXT    NOT NULL,
            day  TEXT    NOT NULL,
            bots INTEGER NOT NULL,
            PRIMARY KEY (code, day)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stats_dimensions (
            code      TEXT    NOT NULL,
            day       TEXT    NOT NULL,
            dimension TEXT    NOT NULL,
            name      TEXT    NOT NULL,
            clicks    INTEGER NOT NULL,
            PRIMARY KEY (code, day, dimension, name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stats_totals (
            code   TEXT    NOT NULL PRIMARY KEY,
            humans INTEGER NOT NULL,
            bots   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stats_visitors (
            code   TEXT NOT NULL,
            day    TEXT NOT NULL,
            sketch BLOB NOT NULL,
            PRIMARY KEY (code, day)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS stats_applied (
            message_id TEXT    NOT NULL PRIMARY KEY,
            applied_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
        // One transaction: the message id and every count it adds commit together, or none does.
        SqliteFailures.Guard(database.WriteInTransactionAsync(async (connection, transaction, ct) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (await ExecuteAsync(connection, transaction, "INSERT OR IGNORE INTO stats_applied (message_id, applied_at) VALUES ($p0, $p1);", ct, messageId, now).ConfigureAwait(false) == 0)
            {
                return 0;
            }

            // Only after that check: a message applied just before a long stop comes first after the restart, and
            // must find its id even if the stop lasted longer than the window.
            if (now >= _forgetAfter)
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM stats_applied WHERE applied_at < $p0;", ct, now - (long)IStatsStore.RedeliveryWindow.TotalMilliseconds).ConfigureAwait(false);
                _forgetAfter = now + (long)ForgetEvery.TotalMilliseconds;
            }

            // A message touches many (code, day) pairs: each statement is prepared once and run with new values.
            await using var hours = Prepare(connection, transaction, "INSERT INTO stats_hours (code, day, hour, clicks) VALUES ($p0, $p1, $p2, $p3) ON CONFLICT DO UPDATE SET clicks = clicks + excluded.clicks;", 4);
            await using var bots = Prepare(connection, transaction, "INSERT INTO stats_days (code, day, bots) VALUES ($p0, $p1, $p2) ON CONFLICT DO UPDATE SET bots = bots + excluded.bots;", 3);
            await using var dimensions = Prepare(connection, transaction, "INSERT INTO stats_dimensions (code, day, dimension, name, clicks) VALUES ($p0, $p1, $p2, $p3, $p4) ON CONFLICT DO UPDATE SET clicks = clicks + excluded.clicks;", 5);
            await using var findVisitors = Prepare(connection, transaction, "SELECT sketch FROM stats_visitors WHERE code = $p0 AND day = $p1;", 2);
            await using var visitors = Prepare(connection, transaction, "INSERT INTO stats_visitors (code, day, sketch) VALUES ($p0, $p1, $p2) ON CONFLICT DO UPDATE SET sketch = excluded.sketch;", 3);
            await using var totals = Prepare(connection, transaction, "INSERT INTO stats_totals (code, humans, bots) VALUES ($p0, $p1, $p2) ON CONFLICT DO UPDATE SET humans = humans + excluded.humans, bots = bots + excluded.bots;", 3);
            foreach (var day in days)
            {
                var dayKey = DayKey(day.Day);
                for (var hour = 0; hour < 24; hour++)
                {
                    if (day.Hours[hour] > 0)
                    {
                        await RunAsync(hours, ct, day.Code, dayKey, hour, day.Hours[hour]).ConfigureAwait(false);
                    }
                }

                await RunAsync(bots, ct, day.Code, dayKey, day.Bots).ConfigureAwait(false);
                foreach (var (dimension, counts) in day.Breakdowns())
                {
                    foreach (var (name, clicks) in counts)
                    {
                        await RunAsync(dimensions, ct, day.Code, dayKey, dimension, name, clicks).ConfigureAwait(false);
                    }
                }

                if (day.Visitors is { } seen)
                {
                    // Merged here, under the write lock: a sketch takes the larger of each register, which SQL cannot say.
                    findVisitors.Parameters[0].Value = day.Code;
                    findVisitors.Parameters[1].Value = dayKey;
                    var sketch = await findVisitors.ExecuteScalarAsync(ct).ConfigureAwait(false) is byte[] stored ? VisitorSketch.FromBytes(stored) : new VisitorSketch();
                    sketch.Merge(seen);
                    await RunAsync(visitors, ct, day.Code, dayKey, sketch.ToBytes()).ConfigureAwait(false);
                }

                await RunAsync(totals, ct, day.Code, day.Humans, day.Bots).ConfigureAwait(false);
            }

            return 1;
        }, cancellationToken));

    public Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken) =>
        SqliteFailures.Guard(ReadDaysAsync(code, days, cancellationToken));

    public Task<long> TotalAsync(string code, CancellationToken cancellationToken) => SqliteFailures.Guard(ReadTotalAsync(code, cancellationToken));

    private async Task<IReadOnlyList<DailyClicks>> ReadDaysAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return [];
        }

        var result = new Dictionary<string, DailyClicks>(StringComparer.Ordinal);
        DailyClicks Day(string key) => result.TryGetValue(key, out var d) ? d
            : result[key] = new DailyClicks(code, DateOnly.ParseExact(key, "yyyyMMdd", CultureInfo.InvariantCulture));

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var first = DayKey(days.Min());
        var last = DayKey(days.Max());
        await foreach (var row in QueryAsync(connection, "SELECT day, hour, clicks FROM stats_hours WHERE code = $p0 AND day BETWEEN $p1 AND $p2;", cancellationToken, code, first, last))
        {
            Day(row.GetString(0)).Hours[row.GetInt32(1)] = row.GetInt64(2);
        }

        await foreach (var row in QueryAsync(connection, "SELECT day, bots FROM stats_days WHERE code = $p0 AND day BETWEEN $p1 AND $p2;", cancellationToken, code, first, last))
        {
            Day(row.GetString(0)).Bots = row.GetInt64(1);
        }

        await foreach (var row in QueryAsync(connection, "SELECT day, dimension, name, clicks FROM stats_dimensions WHERE code = $p0 AND day BETWEEN $p1 AND $p2;", cancellationToken, code, first, last))
        {
            var counts = Day(row.GetString(0)).Breakdowns().FirstOrDefault(b => b.Dimension == row.GetString(1)).Counts;
            counts?[row.GetString(2)] = row.GetInt64(3);
        }

        await foreach (var row in QueryAsync(connection, "SELECT day, sketch FROM stats_visitors WHERE code = $p0 AND day BETWEEN $p1 AND $p2;", cancellationToken, code, first, last))
        {
            Day(row.GetString(0)).Visitors = VisitorSketch.FromBytes((byte[])row.GetValue(1));
        }

        return [.. result.Values];
    }

    private async Task<long> ReadTotalAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in QueryAsync(connection, "SELECT humans FROM stats_totals WHERE code = $p0;", cancellationToken, code))
        {
            return row.GetInt64(0);
        }

        return 0;
    }

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"$p{i}", null));
        }

        command.Prepare();
        return command;
    }

    private static Task<int> RunAsync(SqliteCommand command, CancellationToken cancellationToken, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", parameters[i]);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<SqliteDataReader> QueryAsync(
        SqliteConnection connection, string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", parameters[i]);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader;
        }
    }
}
