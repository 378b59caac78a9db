using System.Diagnostics.Metrics;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using UrlShortener.Core;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Messaging.ServiceBus;

/// <summary>
/// Sends click batches to the Service Bus queue. A batch becomes messages of at most
/// <see cref="EntriesPerMessage"/> entries, each with a MessageId derived from the batch's id, so a batch
/// sent again after a failure carries the same ids and the aggregator counts it once. The messages go out
/// in <see cref="ServiceBusMessageBatch"/>es, which never exceed the queue's message size; the client retries
/// transient failures itself. What still fails is the core's <see cref="StoreUnavailableException"/>: the
/// batcher keeps the clicks and tries again later.
/// </summary>
public sealed partial class ServiceBusClickPublisher : IClickPublisher
{
    /// <summary>Entries per message: 100 entries stay far below a message's 256 KB (an entry is at most a few hundred bytes).</summary>
    public const int EntriesPerMessage = 100;

    public const string Store = "servicebus";

    private readonly ServiceBusSender _sender;
    private readonly ILogger<ServiceBusClickPublisher> _logger;
    private readonly Counter<long>? _messagesSent;
    private readonly Counter<long>? _sendFailures;
    private volatile Exception? _lastFailure;

    public ServiceBusClickPublisher(ServiceBusSender sender, ILogger<ServiceBusClickPublisher> logger, IMeterFactory? meters = null)
    {
        _sender = sender;
        _logger = logger;
        var meter = meters?.Create("UrlShortener");
        _messagesSent = meter?.CreateCounter<long>("urlshortener.servicebus.messages.sent", "{message}", "Click messages Service Bus took.");
        _sendFailures = meter?.CreateCounter<long>("urlshortener.servicebus.send.failures", "{send}", "Sends that failed after the client's own retries.");
    }

    /// <summary>Why the last send failed after the client's retries; null once one succeeds.</summary>
    public Exception? LastFailure => _lastFailure;

    public async Task PublishAsync(string batchId, IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken)
    {
        // Each message beside its entries: one that does not fit is split from its entries, not read back from its JSON.
        var messages = clicks.Chunk(EntriesPerMessage).Select((entries, index) => Message($"{batchId}-{index}", entries)).ToList();
        try
        {
            var next = 0;
            while (next < messages.Count)
            {
                using var batch = await _sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                var first = next;
                while (next < messages.Count && batch.TryAddMessage(messages[next].Message))
                {
                    next++;
                }

                if (next == first)
                {
                    // Not even one message fits an empty batch: halve it, each half an id of its own under the original.
                    var (entries, message) = messages[first];
                    if (entries.Length <= 1)
                    {
                        throw new InvalidOperationException($"A click message of one entry ({message.Body.ToMemory().Length} bytes) exceeds the queue's message size.");
                    }

                    var half = entries.Length / 2;
                    messages[first] = Message(message.MessageId + "a", entries[..half]);
                    messages.Insert(first + 1, Message(message.MessageId + "b", entries[half..]));
                    continue;
                }

                await _sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
                _messagesSent?.Add(next - first);
            }

            _lastFailure = null;
        }
        catch (Exception exception) when (exception is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException or Azure.RequestFailedException)
        {
            _lastFailure = exception;
            _sendFailures?.Add(1);
            var (reason, transient, message) = exception is ServiceBusException serviceBus
                ? (serviceBus.Reason.ToString(), serviceBus.IsTransient, $"Service Bus did not take the clicks: {serviceBus.Reason}.")
                : (exception.GetType().Name, false, "Service Bus refused the app's credentials.");
            SendFailed(_logger, exception, reason, transient);
            throw new StoreUnavailableException(Store, message, exception);
        }
    }

    private static (ClickEvent[] Entries, ServiceBusMessage Message) Message(string id, ClickEvent[] entries) =>
        (entries, new ServiceBusMessage(ClickMessage.Serialize(entries)) { MessageId = id, ContentType = "application/json" });

    [LoggerMessage(301, LogLevel.Warning, "Service Bus did not take a click batch after the client's retries ({Reason}, transient: {IsTransient}); the clicks stay buffered")]
    private static partial void SendFailed(ILogger logger, Exception exception, string reason, bool isTransient);
}

/// <summary>Degraded while sends fail: redirects go on and clicks wait in the buffer.</summary>
internal sealed class ServiceBusHealthCheck(ServiceBusClickPublisher publisher) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(publisher.LastFailure is null
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("Service Bus does not take clicks; they wait in the buffer and are sent again."));
}
