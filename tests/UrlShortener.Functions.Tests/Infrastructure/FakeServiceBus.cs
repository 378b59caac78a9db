using System.Collections.Concurrent;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UrlShortener.Functions.Tests.Infrastructure;

/// <summary>
/// A FAKE of the Service Bus REST endpoint (no Service Bus runs here) on a free loopback port. It
/// records every send and answers as a test scripts it: 201 Created, an error status with an
/// optional Retry-After, or no answer at all.
/// </summary>
public sealed class FakeServiceBus : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();

    private FakeServiceBus(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedSend> Sends { get; } = new();

    /// <summary>What to answer once the script is used up (default 201 Created).</summary>
    public Func<HttpContext, Task> Otherwise { get; set; } = Created;

    public Uri Address => new(_app.Urls.Single());

    public static async Task<FakeServiceBus> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{ChildProcesses.FreePort()}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeServiceBus(app);
        app.MapPost("/{**path}", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            fake.Sends.Enqueue(new ReceivedSend(
                context.Request.Path.Value!,
                context.Request.Headers.Authorization.ToString(),
                context.Request.Headers.ContentType.ToString(),
                await reader.ReadToEndAsync(),
                DateTimeOffset.UtcNow));
            await (fake._script.TryDequeue(out var answer) ? answer : fake.Otherwise)(context);
        });
        await app.StartAsync();
        return fake;
    }

    public static Task Created(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        return Task.CompletedTask;
    }

    public static Func<HttpContext, Task> Status(int status, string? retryAfter = null) => context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        return Task.CompletedTask;
    };

    /// <summary>Never answers (until the client gives up).</summary>
    public static Task Hang(HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public void Then(Func<HttpContext, Task> answer) => _script.Enqueue(answer);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedSend(string Path, string Authorization, string ContentType, string Body, DateTimeOffset At);

/// <summary>A FAKE Entra ID credential (Entra cannot be reached here): a fixed token, counting requests.</summary>
public sealed class FakeEntraCredential(string token) : TokenCredential
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public string? LastScope { get; private set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        LastScope = requestContext.Scopes.Single();
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
