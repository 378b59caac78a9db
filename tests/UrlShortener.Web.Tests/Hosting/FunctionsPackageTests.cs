using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>The function app package: function.json files, the app's routes, and the published folder, against each other.</summary>
public sealed class FunctionsPackageTests
{
    private static readonly string FunctionsFolder = Path.Combine(AppProcess.RepositoryRoot, "src", "UrlShortener.Functions", "Functions");

    [Fact]
    public void Every_http_route_of_the_app_is_declared_by_exactly_one_function_with_the_same_methods_and_every_function_has_a_handler()
    {
        using var app = new ShortenerApp { Settings = new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071" } };
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Route: e.RoutePattern.RawText!.Trim('/'), Methods: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Select(m => m.ToLowerInvariant()).ToHashSet()))
            .ToList();
        Assert.All(endpoints, e => Assert.True(e.Methods is { Count: > 0 }, $"route '{e.Route}' answers every method"));

        // One route may be several endpoints (GET and POST /api/links): compare each route's methods together.
        endpoints = endpoints.GroupBy(e => e.Route, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Route: g.Key, Methods: (HashSet<string>?)g.SelectMany(e => e.Methods!).ToHashSet()))
            .ToList();
        var functions = Directory.GetDirectories(FunctionsFolder).Select(Function.Read).ToList();
        var triggers = functions.Where(f => f.HttpRoute is null).Select(f => f.Name).ToHashSet();

        // The app's side: every HTTP route (but the host's ping and the trigger entry points) has one function.
        foreach (var (route, methods) in endpoints.Where(e => e.Route.Length > 0 && !triggers.Contains(e.Route)))
        {
            var declaring = functions.Where(f => string.Equals(f.HttpRoute, route, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(declaring.Count == 1, $"route '{route}' is declared by {declaring.Count} function.json files");
            Assert.True(declaring[0].Methods.SetEquals(methods!), $"'{route}': function {declaring[0].Name} declares [{string.Join(',', declaring[0].Methods)}], the app answers [{string.Join(',', methods!)}]");
        }

        // The functions' side: every HTTP function is a route of the app, every other function an entry point.
        foreach (var function in functions)
        {
            var handler = function.HttpRoute is { } route
                ? endpoints.Any(e => string.Equals(e.Route, route, StringComparison.OrdinalIgnoreCase))
                : endpoints.Any(e => e.Route == function.Name && e.Methods!.Contains("post"));
            Assert.True(handler, $"function {function.Name} has no handler in the app");
        }
    }

    [Fact]
    public void Every_http_function_is_forwarded_and_the_aggregator_takes_batches_of_strings()
    {
        foreach (var function in Directory.GetDirectories(FunctionsFolder).Select(Function.Read))
        {
            if (function.HttpRoute is not null)
            {
                // Forwarded only with exactly one httpTrigger in and one http out (functions-custom-handler.md §1.2).
                Assert.Equal(["httpTrigger:in", "http:out"], function.Bindings.Select(b => $"{b.GetProperty("type").GetString()}:{b.GetProperty("direction").GetString()}"));
                Assert.Equal("anonymous", function.Bindings[0].GetProperty("authLevel").GetString());
            }
        }

        var aggregator = Function.Read(Path.Combine(FunctionsFolder, "ClickAggregator")).Bindings.Single();
        Assert.Equal("serviceBusTrigger", aggregator.GetProperty("type").GetString());
        Assert.Equal("clicks", aggregator.GetProperty("queueName").GetString());
        Assert.Equal("ServiceBusConnection", aggregator.GetProperty("connection").GetString());
        Assert.Equal("many", aggregator.GetProperty("cardinality").GetString());
        Assert.Equal("string", aggregator.GetProperty("dataType").GetString());

        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppProcess.RepositoryRoot, "host.json"))).RootElement;
        Assert.Equal(string.Empty, host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(host.GetProperty("customHandler").GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("UrlShortener.Functions.dll", host.GetProperty("customHandler").GetProperty("description").GetProperty("arguments")[0].GetString());
    }

    [Fact]
    public async Task The_published_folder_is_a_function_app_that_starts_the_way_the_host_starts_it()
    {
        using var folder = new TempDirectory("publish");
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", "src/UrlShortener.Functions", "--configuration", "Release", "--output", folder.File("app"), "--nologo"])
        {
            WorkingDirectory = AppProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var publishOutput = publish.StandardOutput.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, await publishOutput);

        var root = folder.File("app");
        Assert.True(File.Exists(Path.Combine(root, "host.json")));
        Assert.True(File.Exists(Path.Combine(root, "UrlShortener.Functions.dll")));
        foreach (var function in Directory.GetDirectories(FunctionsFolder).Select(Path.GetFileName))
        {
            Assert.True(File.Exists(Path.Combine(root, function!, "function.json")), $"{function}/function.json is not at the root of the package");
        }

        // Compiled ahead of time for the Linux x64 workers (cold start), the Cosmos DB SDK included; still framework-dependent.
        foreach (var assembly in new[] { "UrlShortener.Functions.dll", "UrlShortener.Core.dll", "Microsoft.Azure.Cosmos.Client.dll" })
        {
            Assert.True(IsReadyToRun(Path.Combine(root, assembly)), $"{assembly} is not ReadyToRun code");
        }

        var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "UrlShortener.Functions.runtimeconfig.json"))).RootElement;
        Assert.True(runtimeConfig.GetProperty("runtimeOptions").TryGetProperty("frameworks", out _), "the package must use the host's shared .NET, not carry its own");
        var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "UrlShortener.Functions.deps.json"))).RootElement;
        Assert.Equal(".NETCoreApp,Version=v10.0/linux-x64", deps.GetProperty("runtimeTarget").GetProperty("name").GetString());

        // As the host does: `dotnet UrlShortener.Functions.dll` in the app root, the port in FUNCTIONS_CUSTOMHANDLER_PORT.
        var port = ChildProcesses.FreePort();
        var start = new ProcessStartInfo("dotnet", ["UrlShortener.Functions.dll"]) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Embedded__DatabasePath"] = folder.File("links.db");
        var handler = ChildProcesses.Start(start);
        try
        {
            await ChildProcesses.WaitForPortAsync(port, handler, "the published app");
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var ping = await client.GetAsync("/");
            var link = await client.CreateLinkAsync(new { url = "https://example.com/from-the-package" });
            using var redirect = await client.GetAsync($"/{link.Code}");

            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
            Assert.Equal("https://example.com/from-the-package", redirect.Headers.Location!.OriginalString);
        }
        finally
        {
            handler.Kill(entireProcessTree: true);
            await handler.WaitForExitAsync();
        }
    }

    /// <summary>True when the assembly carries precompiled native code (a ReadyToRun header) beside its IL.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    private sealed record Function(string Name, IReadOnlyList<JsonElement> Bindings)
    {
        public string? HttpRoute => Bindings.FirstOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger") is { ValueKind: JsonValueKind.Object } trigger
            ? trigger.GetProperty("route").GetString()
            : null;

        public HashSet<string> Methods => Bindings.First(b => b.GetProperty("type").GetString() == "httpTrigger")
            .GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToHashSet();

        public static Function Read(string folder) => new(
            Path.GetFileName(folder),
            [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "function.json"))).RootElement.GetProperty("bindings").EnumerateArray().Select(b => b.Clone())]);
    }
}
