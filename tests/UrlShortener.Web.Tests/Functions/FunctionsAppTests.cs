using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UrlShortener.Web.Tests.Infrastructure;
using UrlShortener.Web.Tests.Infrastructure.FunctionsHost;

namespace UrlShortener.Web.Tests.Functions;

/// <summary>The Functions app: its published folder, its metadata against the standalone app's routes, and the worker under the fake host.</summary>
public sealed class FunctionsAppTests(WorkerApp worker) : IClassFixture<WorkerApp>
{
    [Fact]
    public async Task Stats_come_as_csv_through_the_worker_with_their_file_name()
    {
        var link = await worker.Client().CreateLinkAsync(new { url = "https://example.com/worker-csv" });

        using var response = await worker.Client().GetAsync($"/api/links/{link.Code}/stats?format=csv");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith($"{link.Code}-stats-", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("section,name,clicks", lines[0]);
        Assert.InRange(lines.Count(l => l.StartsWith("series,", StringComparison.Ordinal)), 24, 25);
        Assert.Contains("total,,0", lines);
    }

    [Fact]
    public async Task The_published_folder_is_a_function_app_with_no_custom_handler_and_no_bundle()
    {
        var root = await PublishedWorker.FolderAsync();

        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "UrlShortener.Functions.dll" })
        {
            Assert.True(File.Exists(Path.Combine(root, file)), $"{file} is not in the published folder");
        }

        Assert.True(Directory.Exists(Path.Combine(root, ".azurefunctions")));
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "host.json"))).RootElement;
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.False(host.TryGetProperty("customHandler", out _));
        Assert.False(host.TryGetProperty("extensionBundle", out _));
        Assert.Equal(string.Empty, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());

        var description = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "worker.config.json"))).RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("UrlShortener.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());

        // Compiled ahead of time for the Linux x64 workers (cold start), the Cosmos DB SDK included; still framework-dependent.
        foreach (var assembly in new[] { "UrlShortener.Functions.dll", "UrlShortener.Web.dll", "Microsoft.Azure.Cosmos.Client.dll" })
        {
            Assert.True(IsReadyToRun(Path.Combine(root, assembly)), $"{assembly} is not ReadyToRun code");
        }

        var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "UrlShortener.Functions.runtimeconfig.json"))).RootElement;
        Assert.True(runtimeConfig.GetProperty("runtimeOptions").TryGetProperty("frameworks", out _), "the package must use the host's shared .NET, not carry its own");
    }

    [Fact]
    public void The_workers_metadata_and_the_standalone_app_list_the_same_routes_with_the_same_methods()
    {
        using var standalone = new ShortenerApp();
        var served = standalone.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods.Select(m => $"{m.ToUpperInvariant()} {e.RoutePattern.RawText!.Trim('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        // What the worker itself told the (fake) host in its FunctionMetadataResponse.
        var functions = worker.Host.Functions;
        var declared = functions
            .SelectMany(f => f.Bindings.Where(b => b.Type == "httpTrigger").SelectMany(b => b.Methods.Select(m => $"{m} {b.Route}")))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(served, declared);
        Assert.All(functions.SelectMany(f => f.Bindings).Where(b => b.Type == "httpTrigger"), b => Assert.Equal("Anonymous", b.AuthLevel, ignoreCase: true));

        // Every HTTP function is named as the endpoint it hands its request to; the one other function is the aggregator's timer.
        var names = standalone.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).ToHashSet();
        Assert.All(functions.Where(f => f.Bindings.Any(b => b.Type == "httpTrigger")), f => Assert.Contains(f.Name, names));
        var timer = Assert.Single(functions, f => f.Bindings.Any(b => b.Type == "timerTrigger"));
        Assert.Equal("aggregateClicks", timer.Name);
        Assert.Equal("*/10 * * * * *", timer.Bindings.Single().Schedule);
    }

    [Fact]
    public async Task A_link_shortened_through_the_fake_host_redirects()
    {
        var link = await worker.Client().CreateLinkAsync(new { url = "https://example.com/through-the-host" });

        using var redirect = await worker.ClientWith(null).GetAsync($"/{link.Code}");
        using var unknown = await worker.ClientWith(null).GetAsync("/zzzzzzz");

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("https://example.com/through-the-host", redirect.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("http://localhost/" + link.Code, link.ShortUrl);
    }

    [Fact]
    public async Task The_timer_invocation_of_the_aggregator_succeeds_on_an_empty_queue()
    {
        var response = await worker.Host.InvokeTimerAsync("aggregateClicks");

        Assert.True(response.Result.Status == Infrastructure.FunctionsHost.Rpc.StatusResult.Types.Status.Success, response.Result.Exception?.Message + response.Result.Exception?.StackTrace);
    }

    /// <summary>True when the assembly carries precompiled native code (a ReadyToRun header) beside its IL.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}

/// <summary>Clicks and stats through the worker: redirects counted by the timer-driven aggregator, read back through the API.</summary>
public sealed class FunctionsClickTests : IDisposable
{
    private readonly WorkerApp _worker = new() { Settings = new Dictionary<string, string?> { ["Clicks:LingerMilliseconds"] = "50" } };

    [Fact]
    public async Task Redirects_through_the_fake_host_are_counted_once_by_the_timer_and_served_as_stats()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/counted-by-the-timer" });
        var visitor = _worker.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd(Clicks.ClickStatsTests<ShortenerApp>.Chrome);
        for (var i = 0; i < 3; i++)
        {
            using var redirect = await visitor.GetAsync($"/{link.Code}");
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        }

        long total = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (total < 3 && DateTime.UtcNow < deadline)
        {
            var run = await _worker.Host.InvokeTimerAsync("aggregateClicks");
            Assert.Equal(Infrastructure.FunctionsHost.Rpc.StatusResult.Types.Status.Success, run.Result.Status);
            total = (await _worker.Client().GetFromJsonAsync<JsonElement>($"/api/links/{link.Code}/stats")).GetProperty("total").GetInt64();
            await Task.Delay(50);
        }

        // More runs of the timer find nothing new to count.
        await _worker.Host.InvokeTimerAsync("aggregateClicks");
        var stats = await _worker.Client().GetFromJsonAsync<JsonElement>($"/api/links/{link.Code}/stats");
        Assert.Equal(3, stats.GetProperty("total").GetInt64());
        Assert.Equal("Chrome", stats.GetProperty("browsers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_worker_serves_the_same_openapi_document_as_the_standalone_app()
    {
        using var standalone = new ShortenerApp();

        var fromWorker = JsonNode.Parse(await _worker.ClientWith(null).GetStringAsync("/openapi/v1.json"))!;
        var fromStandalone = JsonNode.Parse(await standalone.ClientWith(null).GetStringAsync("/openapi/v1.json"))!;

        Assert.True(JsonNode.DeepEquals(fromStandalone, fromWorker), $"worker:\n{fromWorker}\nstandalone:\n{fromStandalone}");
        Assert.True(fromWorker["paths"]!.AsObject().Count >= 5);
    }

    public void Dispose() => _worker.Dispose();
}
