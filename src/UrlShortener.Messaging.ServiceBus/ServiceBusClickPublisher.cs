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
        var messages = clicks.Chunk(EntriesPerMessage)
            .Select((chunk, index) => new ServiceBusMessage(ClickMessage.Serialize(chunk))
            {
                MessageId = $"{batchId}-{index}",
                ContentType = "application/json",
            })
            .ToList();
        try
        {
            var next = 0;
            while (next < messages.Count)
            {
                using var batch = await _sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                var first = next;
                while (next < messages.Count && batch.TryAddMessage(messages[next]))
                {
                    next++;
                }

                if (next == first)
                {
                    // Not even one message fits an empty batch: split it (a message of one entry always fits).
                    var split = messages[first];
                    messages.RemoveAt(first);
                    messages.InsertRange(first, Split(split));
                    continue;
                }

                await _sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
                _messagesSent?.Add(next - first);
            }

            _lastFailure = null;
        }
        catch (ServiceBusException exception)
        {
            _lastFailure = exception;
            _sendFailures?.Add(1);
            SendFailed(_logger, exception, exception.Reason.ToString(), exception.IsTransient);
            throw new StoreUnavailableException(Store, $"Service Bus did not take the clicks: {exception.Reason}.", exception);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException or Azure.RequestFailedException)
        {
            _lastFailure = exception;
            _sendFailures?.Add(1);
            SendFailed(_logger, exception, exception.GetType().Name, false);
            throw new StoreUnavailableException(Store, "Service Bus refused the app's credentials.", exception);
        }
    }

    // Halves a message that does not fit: its entries keep their order, each half an id of its own under the original.
    private static IEnumerable<ServiceBusMessage> Split(ServiceBusMessage message)
    {
        var (clicks, _) = ClickMessage.Parse(message.Body.ToString());
        if (clicks.Count <= 1)
        {
            throw new InvalidOperationException($"A click message of one entry ({message.Body.ToMemory().Length} bytes) exceeds the queue's message size.");
        }

        var half = clicks.Count / 2;
        return [
            new ServiceBusMessage(ClickMessage.Serialize(clicks[..half])) { MessageId = message.MessageId + "a", ContentType = message.ContentType },
            new ServiceBusMessage(ClickMessage.Serialize(clicks[half..])) { MessageId = message.MessageId + "b", ContentType = message.ContentType },
        ];
    }

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
