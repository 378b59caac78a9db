using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UrlShortener.Caching.Redis;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Keys;
using UrlShortener.Core.Links;
using UrlShortener.Messaging.ServiceBus;
using UrlShortener.Storage.Cosmos;
using UrlShortener.Storage.Sqlite;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>AddUrlShortener picks each port's adapter from configuration alone, whatever was registered around it.</summary>
public sealed class CompositionTests : IDisposable
{
    private const string Cosmos = "Cosmos:ConnectionString=AccountEndpoint=https://127.0.0.1:1/;AccountKey=dGVzdC1rZXk=;";
    private const string Redis = "Redis:ConnectionString=127.0.0.1:1,abortConnect=false";
    private const string ServiceBus = "ServiceBus:ConnectionString=Endpoint=sb://test-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0";

    private readonly TempDirectory _directory = new("composition");

    [Theory]
    [InlineData("embedded", typeof(SqliteLinkStore), typeof(SqliteKeyRangeSource), typeof(SqliteStatsStore), typeof(SqliteClickQueue), null, "embedded-store")]
    [InlineData("cosmos", typeof(CosmosLinkStore), typeof(CosmosKeyRangeSource), typeof(CosmosStatsStore), typeof(SqliteClickQueue), null, "cosmos,embedded-store")]
    [InlineData("cosmos+redis", typeof(CosmosLinkStore), typeof(CosmosKeyRangeSource), typeof(CosmosStatsStore), typeof(SqliteClickQueue), typeof(RedisLinkCache), "cosmos,embedded-store,redis")]
    [InlineData("embedded+servicebus", typeof(SqliteLinkStore), typeof(SqliteKeyRangeSource), typeof(SqliteStatsStore), typeof(ServiceBusClickPublisher), null, "embedded-store,servicebus")]
    [InlineData("cosmos+redis+servicebus", typeof(CosmosLinkStore), typeof(CosmosKeyRangeSource), typeof(CosmosStatsStore), typeof(ServiceBusClickPublisher), typeof(RedisLinkCache), "cosmos,redis,servicebus")]
    public async Task Each_configuration_gets_the_adapters_it_names(string configuration, Type links, Type keys, Type stats, Type publisher, Type? cache, string checks)
    {
        await using var app = Build(configuration);
        var services = app.Services;

        Assert.IsType(links, Assert.IsType<DeadlineLinkStore>(services.GetRequiredService<ILinkStore>()).Inner);
        Assert.IsType(keys, Assert.IsType<DeadlineKeyRangeSource>(services.GetRequiredService<IKeyRangeSource>()).Inner);
        Assert.IsType(stats, Assert.IsType<DeadlineStatsStore>(services.GetRequiredService<IStatsStore>()).Inner);
        Assert.IsType(publisher, services.GetRequiredService<IClickPublisher>());
        Assert.Equal(cache, services.GetService<ILinkCache>()?.GetType());

        // The standalone app drains the queue it publishes to, embedded or Service Bus, in a hosted service.
        Assert.Single(services.GetServices<IHostedService>().OfType<ClickQueueDrainService>());
        Assert.Equal(publisher == typeof(SqliteClickQueue) ? typeof(SqliteClickQueue) : typeof(ServiceBusClickQueue), services.GetRequiredService<IClickQueue>().GetType());

        var registered = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).Order(StringComparer.Ordinal);
        Assert.Equal(checks.Split(','), registered);
    }

    [Fact]
    public async Task The_order_of_the_hosts_own_registrations_does_not_change_the_choice()
    {
        // A host that registers its own services first, then the shortener, still gets Service Bus as configured.
        await using var app = Build("embedded+servicebus", before: services => services.AddSingleton<IClickPublisher, SqliteClickQueue>());

        Assert.IsType<ServiceBusClickPublisher>(app.Services.GetRequiredService<IClickPublisher>());
    }

    public void Dispose() => _directory.Dispose();

    private WebApplication Build(string configuration, Action<IServiceCollection>? before = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = _directory.Path });
        var settings = new Dictionary<string, string?>();
        foreach (var backend in configuration.Split('+'))
        {
            var setting = backend switch
            {
                "cosmos" => Cosmos,
                "redis" => Redis,
                "servicebus" => ServiceBus,
                _ => null,
            };
            if (setting is not null)
            {
                var (name, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                settings[name] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(settings);
        before?.Invoke(builder.Services);
        builder.Services.AddUrlShortener(builder.Configuration);
        return builder.Build();
    }
}
