using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UrlShortener.Storage.Sqlite;

public static partial class SqliteStorage
{
    /// <summary>The name of the embedded database's readiness check.</summary>
    public const string HealthCheckName = "embedded-store";

    /// <summary>
    /// The embedded database: links, the key counter, the click queue and the stats in one SQLite file
    /// (<see cref="SqliteLinkStore"/>, <see cref="SqliteKeyRangeSource"/>, <see cref="SqliteClickQueue"/>,
    /// <see cref="SqliteStatsStore"/>), created before the first request so that a bad path fails the start.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddOptions<EmbeddedOptions>()
            .BindConfiguration(EmbeddedOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Embedded:DatabasePath must not be empty.")
            .ValidateOnStart();
        services.AddSingleton<LinkRowKeys>();
        services.AddSingleton<SqliteDatabase>();
        services.AddHostedService<SqliteInitializer>();
        services.AddSingleton<SqliteLinkStore>();
        services.AddSingleton<SqliteKeyRangeSource>();
        services.AddSingleton<SqliteClickQueue>();
        services.AddSingleton<SqliteStatsStore>();
        services.AddSingleton<SqliteIdempotencyStore>();
        services.AddHealthChecks().AddCheck<SqliteHealthCheck>(HealthCheckName);
        return services;
    }

    [LoggerMessage(101, LogLevel.Information, "Embedded store at {DatabasePath}")]
    private static partial void EmbeddedStoreOpened(ILogger logger, string databasePath);

    private sealed class SqliteInitializer(SqliteDatabase database, ILogger<SqliteDatabase> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await database.InitializeAsync(cancellationToken).ConfigureAwait(false);
            EmbeddedStoreOpened(logger, database.FilePath);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
