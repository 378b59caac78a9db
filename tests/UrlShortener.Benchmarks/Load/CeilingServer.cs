using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UrlShortener.Core.Keys;

namespace UrlShortener.Benchmarks.Load;

/// <summary>
/// The ceiling: the least an ASP.NET Core app can do for each request the benchmark sends, on the
/// same machine, the same runtime and the same garbage collector as the app. A minimal API that
/// answers a 302 from a static dictionary (404 when the code is not in it), a create that parses the
/// JSON body and stores the URL in memory, and a stats read that writes a fixed JSON body.
/// It runs inside the harness; the harness is idle while wrk runs.
/// </summary>
internal sealed class CeilingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _created = new(StringComparer.Ordinal);
    private FrozenDictionary<string, string> _links = FrozenDictionary<string, string>.Empty;
    private byte[] _stats = [];
    private long _counter;

    private CeilingServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<CeilingServer> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new CeilingServer(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapGet("/{code}", server.Redirect);
        app.MapPost("/api/links", server.CreateAsync);
        app.MapPost("/api/links/bulk", server.CreateManyAsync);
        app.MapGet("/api/links/{code}/stats", server.WriteStatsAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>The links to answer from now on (the same codes and URLs the app under test has), and the stats body to answer with.</summary>
    public void Publish(IEnumerable<KeyValuePair<string, string>> links, byte[] statsBody)
    {
        _links = links.ToFrozenDictionary(StringComparer.Ordinal);
        _stats = statsBody;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Redirect(string code, HttpContext context)
    {
        if (_links.TryGetValue(code, out var url))
        {
            context.Response.Redirect(url);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task CreateAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (!body.RootElement.TryGetProperty("url", out var url) || url.GetString() is not { } destination)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var code = Base62.Encode((ulong)Interlocked.Increment(ref _counter), 7);
        _created[code] = destination;
        context.Response.StatusCode = (int)HttpStatusCode.Created;
        context.Response.Headers.Location = "/api/links/" + code;
        await context.Response.WriteAsJsonAsync(new CreatedLink(code, destination), CeilingJsonContext.Default.CreatedLink, cancellationToken: context.RequestAborted);
    }

    // What the least a bulk create must do: read each item, hand out a code, answer each in order.
    private async Task CreateManyAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var created = new List<CreatedLink>();
        foreach (var item in body.RootElement.GetProperty("links").EnumerateArray())
        {
            var destination = item.GetProperty("url").GetString()!;
            var code = Base62.Encode((ulong)Interlocked.Increment(ref _counter), 7);
            _created[code] = destination;
            created.Add(new CreatedLink(code, destination));
        }

        await context.Response.WriteAsJsonAsync(created, CeilingJsonContext.Default.ListCreatedLink, cancellationToken: context.RequestAborted);
    }

    private Task WriteStatsAsync(string code, HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(_stats, context.RequestAborted).AsTask();
    }
}

internal sealed record CreatedLink(string Code, string Url);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CreatedLink))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<CreatedLink>))]
internal sealed partial class CeilingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
