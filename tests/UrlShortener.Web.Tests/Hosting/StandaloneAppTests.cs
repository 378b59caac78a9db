using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>The app as a user runs it: <c>dotnet run</c>, a real port, a database on disk.</summary>
public sealed class StandaloneAppTests : IDisposable
{
    private readonly TempDirectory _directory = new("process");

    private string DatabasePath => _directory.File("links.db");

    [Fact]
    public void The_run_command_serves_http_localhost_7071_in_development()
    {
        var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(
            AppProcess.RepositoryRoot, "src", "UrlShortener.Server", "Properties", "launchSettings.json")));
        var profile = settings.RootElement.GetProperty("profiles").GetProperty("UrlShortener.Server");

        Assert.Equal("http://localhost:7071", profile.GetProperty("applicationUrl").GetString());
        Assert.Equal("Development", profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString());
    }

    [Fact]
    public async Task The_run_command_starts_open_in_development_and_the_readme_curl_shortens_and_redirects()
    {
        await using var app = await AppProcess.StartAsync(DatabasePath);

        // README: curl -X POST http://localhost:7071/api/links -H 'Content-Type: application/json' -d '{"url": "https://learn.microsoft.com/azure/azure-functions/"}'
        using var created = await app.Client.PostAsync("/api/links", new StringContent(
            "{\"url\": \"https://learn.microsoft.com/azure/azure-functions/\"}", System.Text.Encoding.UTF8, "application/json"));
        var link = (await created.Content.ReadFromJsonAsync<LinkJson>())!;
        using var redirect = await app.Client.GetAsync(new Uri(link.ShortUrl));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{app.Address.ToString().TrimEnd('/')}/{link.Code}", link.ShortUrl);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("https://learn.microsoft.com/azure/azure-functions/", redirect.Headers.Location!.OriginalString);
        Assert.Contains("NO API KEYS CONFIGURED", app.Output, StringComparison.Ordinal);
        Assert.Contains("Hosting environment: Development", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_survives_a_crash_of_the_process()
    {
        LinkJson link;
        await using (var first = await AppProcess.StartAsync(DatabasePath))
        {
            link = await first.Client.CreateLinkAsync(new { url = "https://example.com/after-crash" });
        }

        await using var second = await AppProcess.StartAsync(DatabasePath);
        using var redirect = await second.Client.GetAsync($"/{link.Code}");

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("https://example.com/after-crash", redirect.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Two_processes_on_one_database_never_hand_out_the_same_code()
    {
        // No write quota: 10,000 creates from one key would pass any sensible one.
        var small = new Dictionary<string, string> { ["Shortener__KeyRangeSize"] = "50", ["RateLimits__Writes__Quota"] = "0" };
        var started = await Task.WhenAll(AppProcess.StartAsync(DatabasePath, small), AppProcess.StartAsync(DatabasePath, small));
        await using var first = started[0];
        await using var second = started[1];
        var codes = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var link = await (i % 2 == 0 ? first : second).Client.CreateLinkAsync(new { url = $"https://example.com/{i}" });
            codes.Add(link.Code);
        });

        Assert.Equal(10_000, codes.Distinct(StringComparer.Ordinal).Count());

        // And what one instance created, the other serves.
        using var crossed = await second.Client.GetAsync($"/{codes.First()}");
        Assert.Equal(HttpStatusCode.Found, crossed.StatusCode);
    }

    public void Dispose() => _directory.Dispose();
}
