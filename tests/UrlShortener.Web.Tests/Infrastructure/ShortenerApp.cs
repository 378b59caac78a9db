using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>Which stores the app under test uses.</summary>
public enum Backend
{
    /// <summary>The default: SQLite in a temporary folder, the in-process cache.</summary>
    Embedded,

    /// <summary>Cosmos DB (the emulator) and Redis as L2, both real servers started by the tests.</summary>
    CosmosRedis,
}

/// <summary>The app under test, whichever host serves it: what a contract test may use.</summary>
public interface IAppUnderTest
{
    Backend Backend { get; }

    string EnvironmentName { get; }

    /// <summary>A client that sends <paramref name="key"/> (none for null) and does not follow redirects.</summary>
    HttpClient ClientWith(TestKey? key);

    /// <summary>Owner A with every scope: the usual client of a test.</summary>
    HttpClient Client() => ClientWith(Keys.OwnerA);
}

/// <summary>
/// The real app in memory, on a store of its own (a SQLite file in a fresh temporary folder, or a fresh
/// database on the Cosmos emulator with its own Redis key prefix), with a clock the test can move.
/// Production-like by default: API keys (<see cref="Keys"/>) and a code secret are set.
/// </summary>
public class ShortenerApp : WebApplicationFactory<Program>, IAppUnderTest
{
    private readonly string _ownDirectory = Directory.CreateTempSubdirectory("urlshortener-tests-").FullName;

    public Backend Backend { get; init; } = Backend.Embedded;

    /// <summary>The Cosmos database (and Redis key prefix) this app uses; share it to make two instances of one deployment.</summary>
    public string CosmosDatabaseName { get; init; } = "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The Cosmos emulator's connection string; null for the one shared by the test run.</summary>
    public string? CosmosConnectionString { get; init; }

    /// <summary>The Redis server; null for the one shared by the test run.</summary>
    public string? RedisConnectionString { get; init; }

    public string EnvironmentName { get; init; } = "Production";

    /// <summary>Configuration on top of the test defaults; a null value removes a default.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>False to start without any API key configured.</summary>
    public bool WithApiKeys { get; init; } = true;

    /// <summary>A folder another app also uses (a restart, a second instance); not deleted by this one.</summary>
    public string? SharedDataDirectory { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public string DataDirectory => SharedDataDirectory ?? _ownDirectory;

    public TestClock Clock { get; } = new();

    /// <summary>A client that sends <paramref name="key"/> (none for null) and does not follow redirects.</summary>
    public HttpClient ClientWith(TestKey? key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        }

        return client;
    }

    /// <summary>Owner A with every scope: the usual client of a test.</summary>
    public HttpClient Client() => ClientWith(Keys.OwnerA);

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);

        // As host settings, so that Program sees them before Build(): it picks the stores from them.
        foreach (var (name, value) in AppSettings())
        {
            builder.UseSetting(name, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The factory disposes through both Dispose and DisposeAsync: delete once.
        if (disposing && Directory.Exists(_ownDirectory))
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_ownDirectory, recursive: true);
        }
    }

    private Dictionary<string, string?> AppSettings() =>
        TestSettings(DataDirectory, EnvironmentName, Backend, CosmosDatabaseName, CosmosConnectionString, RedisConnectionString, WithApiKeys, Settings);

    /// <summary>The configuration of an app under test, in either host: its own store, production-like unless Development.</summary>
    internal static Dictionary<string, string?> TestSettings(
        string dataDirectory,
        string environmentName,
        Backend backend,
        string cosmosDatabaseName,
        string? cosmosConnectionString,
        string? redisConnectionString,
        bool withApiKeys,
        IReadOnlyDictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Embedded:DatabasePath"] = Path.Combine(dataDirectory, "links.db"),

            // Suites send thousands of requests from one key and one address; the limit tests set their own quotas.
            ["RateLimits:Writes:Quota"] = "1000000",
            ["RateLimits:Reads:Quota"] = "1000000",
            ["RateLimits:UnknownCodes:Quota"] = "1000000",
        };
        if (environmentName != "Development")
        {
            settings["Shortener:CodeSecret"] = "test-code-secret-0123456789";
            settings["Shortener:BaseUrl"] = "http://localhost";
        }

        if (backend == Backend.CosmosRedis)
        {
            settings["Cosmos:ConnectionString"] = cosmosConnectionString ?? CosmosEmulator.Shared.GetAwaiter().GetResult().ConnectionString;
            settings["Cosmos:DatabaseName"] = cosmosDatabaseName;
            settings["Cosmos:CreateResources"] = "true";
            settings["Cosmos:DisableServerCertificateValidation"] = "true";
            settings["Redis:ConnectionString"] = redisConnectionString ?? RedisServer.Shared.GetAwaiter().GetResult().ConnectionString;
            settings["Redis:KeyPrefix"] = cosmosDatabaseName + ":";
        }

        if (withApiKeys && environmentName != "Development")
        {
            for (var index = 0; index < Keys.All.Count; index++)
            {
                var key = Keys.All[index];
                settings[$"Auth:ApiKeys:{index}:Owner"] = key.Owner;
                settings[$"Auth:ApiKeys:{index}:KeyHash"] = key.Hash;
                for (var s = 0; s < key.Scopes.Length; s++)
                {
                    settings[$"Auth:ApiKeys:{index}:Scopes:{s}"] = key.Scopes[s];
                }
            }
        }

        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        return settings;
    }
}

/// <summary>The app on Cosmos DB and Redis: the second configuration of every contract suite.</summary>
public sealed class CosmosRedisApp : ShortenerApp
{
    public CosmosRedisApp() => Backend = Backend.CosmosRedis;
}

/// <summary>The app as <c>dotnet run</c> starts it: Development, no API keys, open to a single local owner.</summary>
public sealed class OpenDevelopmentApp : ShortenerApp
{
    public OpenDevelopmentApp() => EnvironmentName = "Development";
}

/// <summary>An API key of the test configuration: the secret a client sends, and what the app stores.</summary>
public sealed record TestKey(string Owner, string Secret, params string[] Scopes)
{
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Secret)));
}

public static class Keys
{
    public static readonly TestKey OwnerA = new("owner-a", "key-of-owner-a-0001", "links:write", "links:read", "stats:read");
    public static readonly TestKey OwnerB = new("owner-b", "key-of-owner-b-0002", "links:write", "links:read", "stats:read");
    public static readonly TestKey OwnerAReadOnly = new("owner-a", "read-only-key-of-a-0003", "links:read");

    public static readonly IReadOnlyList<TestKey> All = [OwnerA, OwnerB, OwnerAReadOnly];
}

/// <summary>The app's clock, at the real time until a test moves it.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Moves the clock so that it reads <paramref name="now"/> now; it keeps running from there.</summary>
    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - base.GetUtcNow()).Ticks);
}

public static class HttpClientLinkExtensions
{
    public static async Task<LinkJson> CreateLinkAsync(this HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/links", body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Create answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<LinkJson>())!;
    }
}

/// <summary>A link as the API returns it, read by the tests.</summary>
public sealed record LinkJson(
    string Code,
    string ShortUrl,
    string Url,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    long? MaxClicks,
    int RedirectType,
    string? FallbackUrl,
    bool ForwardQuery,
    string[] Tags,
    bool Disabled,
    string? Title = null,
    bool PasswordProtected = false);

public sealed record LinkListJson(LinkJson[] Items, string? NextCursor);
