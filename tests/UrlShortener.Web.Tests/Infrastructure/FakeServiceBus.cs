using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// The FAKE Service Bus of one test: a queue, a sender into it and a PeekLock receiver from it, installed in
/// place of the SDK's own (which would need a namespace), with the settings that turn Service Bus on.
/// </summary>
public sealed class FakeServiceBus
{
    public FakeServiceBus(TimeProvider? clock = null)
    {
        Queue = new FakeServiceBusQueue(clock);
        Sender = new FakeServiceBusSender { Queue = Queue };
        Receiver = new FakeServiceBusReceiver(Queue);
    }

    public FakeServiceBusQueue Queue { get; }

    public FakeServiceBusSender Sender { get; }

    public FakeServiceBusReceiver Receiver { get; }

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["ServiceBus:ConnectionString"] = "Endpoint=sb://test-ns.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=c2VjcmV0",
    };

    public void Install(IServiceCollection services)
    {
        services.AddSingleton<ServiceBusSender>(Sender);
        services.AddSingleton<ServiceBusReceiver>(Receiver);
    }

    /// <summary>Waits until every message is completed or dead-lettered.</summary>
    public async Task WaitUntilDrainedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Queue.ActiveCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Queue.ActiveCount} messages are still in the queue.");
            }

            await Task.Delay(20);
        }
    }
}
