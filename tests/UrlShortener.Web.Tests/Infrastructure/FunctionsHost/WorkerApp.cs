using System.Diagnostics;
using Microsoft.Data.Sqlite;
using UrlShortener.Web.Tests.Infrastructure.FunctionsHost;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// The Functions app as Azure runs it: the published worker under the fake host, on a store of its own, with
/// the same settings as <see cref="ShortenerApp"/>. Started at its first client.
/// </summary>
public class WorkerApp : IAppUnderTest, IDisposable
{
    private readonly string _ownDirectory = Directory.CreateTempSubdirectory("urlshortener-worker-tests-").FullName;
    private readonly Lazy<FakeFunctionsHost> _host;
    private int _disposed;

    public WorkerApp() => _host = new(() => Task.Run(StartAsync).GetAwaiter().GetResult());

    public Backend Backend { get; init; } = Backend.Embedded;

    public string EnvironmentName { get; init; } = "Production";

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public bool WithApiKeys { get; init; } = true;

    public string CosmosDatabaseName { get; init; } = "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A folder another worker also uses (a restart after a crash); not deleted by this one.</summary>
    public string? SharedDataDirectory { get; init; }

    /// <summary>The click queue on this fake Service Bus instead of the embedded one.</summary>
    public FakeServiceBusServer? ServiceBus { get; init; }

    public string DataDirectory => SharedDataDirectory ?? _ownDirectory;

    public FakeFunctionsHost Host => _host.Value;

    public HttpClient ClientWith(TestKey? key)
    {
        var client = new HttpClient(Host.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        }

        return client;
    }

    public HttpClient Client() => ClientWith(Keys.OwnerA);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_host.IsValueCreated)
        {
            Task.Run(() => _host.Value.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_ownDirectory))
        {
            Directory.Delete(_ownDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private async Task<FakeFunctionsHost> StartAsync()
    {
        var settings = ShortenerApp.TestSettings(DataDirectory, EnvironmentName, Backend, CosmosDatabaseName, null, null, WithApiKeys, Settings);
        foreach (var (name, value) in ServiceBus?.WorkerSettings ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = EnvironmentName;
        var home = Directory.CreateDirectory(Path.Combine(_ownDirectory, "home")).FullName;
        return await FakeFunctionsHost.StartAsync(await PublishedWorker.FolderAsync(), settings, home);
    }
}

/// <summary>The worker as Development starts it: no API keys, open to the single local owner.</summary>
public sealed class OpenDevelopmentWorkerApp : WorkerApp
{
    public OpenDevelopmentWorkerApp() => EnvironmentName = "Development";
}

/// <summary><c>dotnet publish src/UrlShortener.Functions</c>, once per test run, into a folder deleted when the run ends.</summary>
public static class PublishedWorker
{
    private static readonly Lazy<Task<string>> Folder = new(PublishAsync);

    public static Task<string> FolderAsync() => Folder.Value;

    private static async Task<string> PublishAsync()
    {
        var folder = Directory.CreateTempSubdirectory("urlshortener-published-worker-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A worker still running holds it; /tmp is cleared anyway.
            }
        };
        var start = new ProcessStartInfo("dotnet", ["publish", "src/UrlShortener.Functions", "--configuration", "Release", "--output", folder, "--nologo"])
        {
            WorkingDirectory = AppProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var error = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        return publish.ExitCode == 0
            ? folder
            : throw new InvalidOperationException($"dotnet publish failed:\n{await output}\n{await error}");
    }
}
