namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>Starts apps of one kind with settings of a test's own, and disposes them with the test.</summary>
public abstract class AppStarter : IDisposable
{
    private readonly List<IDisposable> _started = [];

    /// <summary>An app of this kind on <paramref name="backend"/> with <paramref name="settings"/> on top of the test defaults.</summary>
    public IAppUnderTest Start(Backend backend = Backend.Embedded, string? sharedDataDirectory = null, string? cosmosDatabaseName = null, params (string Name, string? Value)[] settings)
    {
        var app = Create(backend, sharedDataDirectory, cosmosDatabaseName, settings.ToDictionary(s => s.Name, s => s.Value));
        _started.Add((IDisposable)app);
        return app;
    }

    public void Dispose()
    {
        foreach (var app in _started)
        {
            app.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract IAppUnderTest Create(Backend backend, string? sharedDataDirectory, string? cosmosDatabaseName, Dictionary<string, string?> settings);
}

/// <summary>The standalone app in memory.</summary>
public sealed class InProcessAppStarter : AppStarter
{
    protected override IAppUnderTest Create(Backend backend, string? sharedDataDirectory, string? cosmosDatabaseName, Dictionary<string, string?> settings) => new ShortenerApp
    {
        Backend = backend,
        SharedDataDirectory = sharedDataDirectory,
        CosmosDatabaseName = cosmosDatabaseName ?? "test-" + Guid.NewGuid().ToString("N")[..12],
        Settings = settings,
    };
}

/// <summary>The Functions worker under the fake host.</summary>
public sealed class WorkerAppStarter : AppStarter
{
    protected override IAppUnderTest Create(Backend backend, string? sharedDataDirectory, string? cosmosDatabaseName, Dictionary<string, string?> settings) => new WorkerApp
    {
        Backend = backend,
        SharedDataDirectory = sharedDataDirectory,
        CosmosDatabaseName = cosmosDatabaseName ?? "test-" + Guid.NewGuid().ToString("N")[..12],
        Settings = settings,
    };
}
