using System.Net;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UrlShortener.FakeServiceBusHook;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// The FAKE Service Bus queue (<see cref="FakeServiceBusQueue"/>) served on loopback to another process: the
/// published worker, whose startup hook (tests/UrlShortener.FakeServiceBusHook) puts bridged sender and
/// receiver clients in its services. The queue keeps its state here, so a worker that crashes loses nothing.
/// </summary>
public sealed class FakeServiceBusServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServiceBusServer(WebApplication app, FakeServiceBusQueue queue)
    {
        _app = app;
        Queue = queue;
        Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public FakeServiceBusQueue Queue { get; }

    public Uri Url { get; }

    /// <summary>Runs before a complete is applied; a test makes it wait forever to stop the worker between applying and completing.</summary>
    public Func<Task>? BeforeComplete { get; set; }

    /// <summary>The worker's environment: the startup hook, its address, and Service Bus turned on.</summary>
    public IReadOnlyDictionary<string, string?> WorkerSettings => new Dictionary<string, string?>
    {
        ["DOTNET_STARTUP_HOOKS"] = typeof(FakeServiceBusWire).Assembly.Location,
        [FakeServiceBusWire.UrlVariable] = Url.ToString(),
        ["ServiceBus:ConnectionString"] = FakeServiceBus.Settings["ServiceBus:ConnectionString"],
    };

    public static async Task<FakeServiceBusServer> StartAsync(FakeServiceBusQueue? queue = null)
    {
        queue ??= new FakeServiceBusQueue();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeServiceBusServer? server = null;
        app.MapPost("/send", (List<WireMessage> messages) =>
        {
            foreach (var message in messages)
            {
                queue.Send(message.MessageId, message.Body);
            }

            return Results.Ok();
        });
        app.MapPost("/receive", async (WireReceive receive, CancellationToken cancellationToken) =>
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(Math.Min(receive.MaxWaitMilliseconds, 5_000));
            IReadOnlyList<ServiceBusReceivedMessage> received;
            while ((received = queue.Receive(receive.MaxMessages)).Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken);
            }

            return Results.Ok(received.Select(m => new WireReceived(m.MessageId, m.Body.ToString(), m.SequenceNumber, m.DeliveryCount, Guid.Parse(m.LockToken), m.LockedUntil)).ToList());
        });
        app.MapPost("/complete", async (WireSettle settle) =>
        {
            if (server!.BeforeComplete is { } before)
            {
                await before();
            }

            return Settle(() => queue.Complete(Message(settle)));
        });
        app.MapPost("/abandon", (WireSettle settle) => Settle(() => queue.Abandon(Message(settle))));
        app.MapPost("/deadletter", (WireSettle settle) => Settle(() => queue.DeadLetterMessage(Message(settle), settle.Reason!, settle.Description)));
        await app.StartAsync();
        server = new FakeServiceBusServer(app, queue);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private static ServiceBusReceivedMessage Message(WireSettle settle) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(lockTokenGuid: settle.LockToken, sequenceNumber: settle.SequenceNumber);

    private static IResult Settle(Action settle)
    {
        try
        {
            settle();
            return Results.Ok();
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessageLockLost)
        {
            return Results.StatusCode(FakeServiceBusWire.LockLostStatus);
        }
    }
}
