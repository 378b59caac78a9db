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
        builder.AddEmbeddedDatabase();
        builder.Services.AddSingleton<SqliteLinkStore>();
        builder.Services.AddSingleton<SqliteKeyRangeSource>();
        builder.Services.AddSingleton<ILinkStore>(sp => new DeadlineLinkStore(sp.GetRequiredService<SqliteLinkStore>(), sp.GetRequiredService<StoreDeadline>()));
        builder.Services.AddSingleton<IKeyRangeSource>(sp => new DeadlineKeyRangeSource(sp.GetRequiredService<SqliteKeyRangeSource>(), sp.GetRequiredService<StoreDeadline>()));
        return builder;
    }

    /// <summary>The SQLite file itself, for whatever uses it (links, the click queue, stats). Safe to call twice.</summary>
    public static WebApplicationBuilder AddEmbeddedDatabase(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(SqliteDatabase)))
        {
            return builder;
        }

        services.AddOptions<EmbeddedOptions>()
            .BindConfiguration(EmbeddedOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Embedded:DatabasePath must not be empty.")
            .ValidateOnStart();
        services.AddSingleton<SqliteDatabase>();
        services.AddHostedService<SqliteInitializer>();
        services.AddSingleton<SqliteClickQueue>();
        services.AddSingleton<SqliteStatsStore>();
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
