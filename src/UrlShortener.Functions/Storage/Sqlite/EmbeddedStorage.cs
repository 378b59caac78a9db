using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Functions.Endpoints;
using UrlShortener.Functions.Hosting;

namespace UrlShortener.Functions.Storage.Sqlite;

public static class EmbeddedStorage
{
    /// <summary>The default backend: links and the key counter in one SQLite file.</summary>
    public static WebApplicationBuilder AddEmbeddedStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddedOptions>()
            .BindConfiguration(EmbeddedOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Embedded:DatabasePath must not be empty.")
            .ValidateOnStart();
        services.AddSingleton<SqliteDatabase>();
        services.AddHostedService<SqliteInitializer>();
        services.AddSingleton<ILinkStore, SqliteLinkStore>();
        services.AddSingleton<IKeyRangeSource, SqliteKeyRangeSource>();
        services.AddHealthChecks().AddCheck<SqliteHealthCheck>("embedded-store", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>Creates the file and schema before the first request, so a bad path fails the start.</summary>
    private sealed class SqliteInitializer(SqliteDatabase database, ILogger<SqliteInitializer> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await database.InitializeAsync(cancellationToken).ConfigureAwait(false);
            Log.EmbeddedStoreOpened(logger, database.FilePath);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
