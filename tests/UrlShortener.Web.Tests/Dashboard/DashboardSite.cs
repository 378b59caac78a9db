using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;
using UrlShortener.Web.Tests.Infrastructure.FunctionsHost;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary>
/// The app on a real loopback port, as a browser needs it, with its base URL on that port so that the short URLs
/// the dashboard shows lead back to it. The click pipeline is quick, as in the stats tests.
/// </summary>
public interface IDashboardSite : IAsyncDisposable
{
    Uri BaseUri { get; }

    IAppUnderTest App { get; }

    /// <summary>A client of the site's port that sends <paramref name="key"/> (none for null) and does not follow redirects.</summary>
    HttpClient ClientWith(TestKey? key)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUri };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        }

        return client;
    }

    /// <summary>Owner A with every scope.</summary>
    HttpClient Client() => ClientWith(Keys.OwnerA);

    /// <summary>A free loopback port, the site's address on it, and the app's settings with its base URL there.</summary>
    internal static (int Port, Uri BaseUri, Dictionary<string, string?> Settings) OnFreePort()
    {
        var port = ChildProcesses.FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        var settings = ClickStatsTests<ShortenerApp>.FastPipeline;
        settings["Shortener:BaseUrl"] = baseUri.ToString().TrimEnd('/');
        return (port, baseUri, settings);
    }

    /// <summary>Runs the click aggregator once if the host only runs it on a schedule; the standalone app polls by itself.</summary>
    Task AggregateAsync();
}

/// <summary>The standalone app on Kestrel, in this process: its clock can be moved.</summary>
public sealed class StandaloneDashboardSite : IDashboardSite
{
    private StandaloneDashboardSite(ShortenerApp app, Uri baseUri)
    {
        Shortener = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public ShortenerApp Shortener { get; }

    public IAppUnderTest App => Shortener;

    public static StandaloneDashboardSite Start()
    {
        var (port, baseUri, settings) = IDashboardSite.OnFreePort();
        var app = new ShortenerApp { Settings = settings };
        app.UseKestrel(port);
        app.StartServer();
        return new StandaloneDashboardSite(app, baseUri);
    }

    public Task AggregateAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync() => await Shortener.DisposeAsync();
}

/// <summary>The Functions worker behind the fake Functions host, whose HTTP side listens on a loopback port.</summary>
public sealed class WorkerDashboardSite : IDashboardSite
{
    private readonly WorkerApp _worker;

    private WorkerDashboardSite(WorkerApp worker, Uri baseUri)
    {
        _worker = worker;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public IAppUnderTest App => _worker;

    public static async Task<WorkerDashboardSite> StartAsync()
    {
        var (port, baseUri, settings) = IDashboardSite.OnFreePort();
        var worker = new WorkerApp { Settings = settings };
        await worker.Host.ServeHttpAsync(port);
        return new WorkerDashboardSite(worker, baseUri);
    }

    public async Task AggregateAsync() => await _worker.Host.InvokeTimerAsync("aggregateClicks");

    public ValueTask DisposeAsync()
    {
        _worker.Dispose();
        return ValueTask.CompletedTask;
    }
}
