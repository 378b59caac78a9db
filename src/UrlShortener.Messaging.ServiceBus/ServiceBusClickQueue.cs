using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using UrlShortener.Core;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Messaging.ServiceBus;

/// <summary>
/// The click queue's receiving side on Service Bus: PeekLock receives with no prefetch (a prefetched message's
/// lock runs out while it waits), each message settled by the drain once it is applied, given back, or dead-lettered.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the click queue the design names; it is no System.Collections queue.")]
public sealed partial class ServiceBusClickQueue(ServiceBusReceiver receiver, ILogger<ServiceBusClickQueue> logger) : IClickQueue
{
    public const string StoreName = "servicebus";

    public async Task<IReadOnlyList<QueuedClickMessage>> ReceiveAsync(int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        IReadOnlyList<ServiceBusReceivedMessage> received;
        try
        {
            received = await receiver.ReceiveMessagesAsync(maxMessages, maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException exception)
        {
            throw new StoreUnavailableException(StoreName, $"Service Bus gave no messages ({exception.Reason}).", exception);
        }

        return received.Select(message => new QueuedClickMessage(message.MessageId ?? string.Empty, message.Body.ToString(), message.SequenceNumber)
        {
            DeliveryCount = message.DeliveryCount,
            Receipt = message,
        }).ToList();
    }

    public Task CompleteAsync(QueuedClickMessage message, CancellationToken cancellationToken) =>
        SettleAsync(message, "complete", m => receiver.CompleteMessageAsync(m, cancellationToken));

    public Task AbandonAsync(QueuedClickMessage message, CancellationToken cancellationToken) =>
        SettleAsync(message, "abandon", m => receiver.AbandonMessageAsync(m, cancellationToken: cancellationToken));

    public Task DeadLetterAsync(QueuedClickMessage message, string reason, string description, CancellationToken cancellationToken) =>
        SettleAsync(message, "dead-letter", m => receiver.DeadLetterMessageAsync(m, reason, description, cancellationToken));

    private async Task SettleAsync(QueuedClickMessage message, string settlement, Func<ServiceBusReceivedMessage, Task> settle)
    {
        var received = message.Receipt as ServiceBusReceivedMessage
            ?? throw new ArgumentException("The message was not received from Service Bus.", nameof(message));
        try
        {
            await settle(received).ConfigureAwait(false);
        }
        catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessageLockLost)
        {
            // The service delivers it again; its clicks are already counted under its id and count nothing twice.
            LockLost(logger, message.MessageId, settlement);
        }
        catch (ServiceBusException exception)
        {
            throw new StoreUnavailableException(StoreName, $"Service Bus did not {settlement} a message ({exception.Reason}).", exception);
        }
    }

    [LoggerMessage(302, LogLevel.Information, "Click message {MessageId}: its lock expired before {Settlement}; Service Bus delivers it again and it counts nothing twice")]
    private static partial void LockLost(ILogger logger, string messageId, string settlement);
}
