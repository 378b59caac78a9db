using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UrlShortener.Storage.Sqlite;

/// <summary>
/// Ready when the database file answers a query and the last write was stored. After a write failed
/// for want of storage, each check stores (and removes) a 64 KB probe, so that readiness returns once the
/// disk has room for real writes again, not just for a page.
/// </summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT next_value FROM key_counters WHERE name = 'links';";
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            if (database.StorageFailure is not null)
            {
                await database.WriteAsync(async (connection, ct) =>
                {
                    await using var probe = connection.CreateCommand();
                    probe.CommandText = """
                        CREATE TABLE IF NOT EXISTS storage_probe (bytes BLOB NOT NULL);
                        INSERT INTO storage_probe (bytes) VALUES (zeroblob(65536));
                        DELETE FROM storage_probe;
                        """;
                    return await probe.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy();
        }
        catch (SqliteException exception) when (database.StorageFailure is { } failure)
        {
            return HealthCheckResult.Unhealthy($"The embedded database cannot store writes: {failure}", exception);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The embedded database cannot be read.", exception);
        }
    }
}
