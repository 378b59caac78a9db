using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// A FAKE <see cref="ServiceBusSender"/> (no Service Bus runs here), through the SDK's documented seams: batches
/// come from <see cref="ServiceBusModelFactory"/> and refuse a message past <see cref="MaxBatchBytes"/>, as the
/// service's size limit does; a send can be scripted to fail, transiently or for good, or to land and still fail
/// (the answer lost on the way back). What landed is kept in <see cref="Received"/>.
/// </summary>
public sealed class FakeServiceBusSender : ServiceBusSender
{
    // What the SDK adds to a message's body on the wire, roughly: header, properties and the id.
    private const int OverheadPerMessage = 128;

    private readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = [];
    private readonly ConcurrentQueue<Func<Exception?>> _script = new();

    /// <summary>The service's largest batch (and message): 256 KB on the standard tier.</summary>
    public long MaxBatchBytes { get; init; } = 256 * 1024;

    /// <summary>Where a message the sender took goes on, for a receiver to take it; none: kept in <see cref="Received"/> only.</summary>
    public FakeServiceBusQueue? Queue { get; init; }

    /// <summary>Every message the queue took, in order.</summary>
    public ConcurrentQueue<ServiceBusReceivedMessage> Received { get; } = new();

    /// <summary>Every batch the queue was asked to take, with its size as this fake reckons it.</summary>
    public ConcurrentQueue<(int Messages, long Bytes)> Sends { get; } = new();

    /// <summary>When no scripted outcome is left: null to take the batch, else what makes every send throw.</summary>
    public Func<Exception>? Otherwise { get; set; }

    public static ServiceBusException Transient() =>
        new("The service is busy (fake).", ServiceBusFailureReason.ServiceBusy, "clicks", null);

    public static ServiceBusException Permanent() =>
        new("The entity was not found (fake).", ServiceBusFailureReason.MessagingEntityNotFound, "clicks", null);

    /// <summary>The next send throws <paramref name="exception"/>.</summary>
    public void ThenFail(Exception exception) => _script.Enqueue(() => exception);

    /// <summary>The next send lands, yet its caller sees a transient failure.</summary>
    public void ThenLandButFail() => _script.Enqueue(() => null);

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
        CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
    {
        var store = new List<ServiceBusMessage>();
        var limit = Math.Min(options.MaxSizeInBytes ?? MaxBatchBytes, MaxBatchBytes);
        long size = 0;
        var batch = ServiceBusModelFactory.ServiceBusMessageBatch(limit, store, options, message =>
        {
            var bytes = SizeOf(message);
            if (size + bytes > limit)
            {
                return false;
            }

            size += bytes;
            return true;
        });
        _batches.Add(batch, store);
        return ValueTask.FromResult(batch);
    }

    public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
    {
        var messages = _batches.TryGetValue(messageBatch, out var store) ? store : throw new InvalidOperationException("Not a batch of this sender.");
        Sends.Enqueue((messages.Count, messages.Sum(SizeOf)));
        if (_script.TryDequeue(out var next))
        {
            if (next() is { } failure)
            {
                return Task.FromException(failure);
            }

            Take(messages);
            return Task.FromException(Transient());
        }

        if (Otherwise?.Invoke() is { } always)
        {
            return Task.FromException(always);
        }

        Take(messages);
        return Task.CompletedTask;
    }

    public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The app sends ServiceBusMessageBatch only.");

    // Nothing to close: no connection was ever opened.
#pragma warning disable CA2215
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215

    public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private static long SizeOf(ServiceBusMessage message) => message.Body.ToMemory().Length + (message.MessageId?.Length ?? 0) + OverheadPerMessage;

    private void Take(List<ServiceBusMessage> messages)
    {
        foreach (var message in messages)
        {
            Received.Enqueue(ServiceBusModelFactory.ServiceBusReceivedMessage(
                body: message.Body, messageId: message.MessageId, contentType: message.ContentType, deliveryCount: 1));
            Queue?.Send(message.MessageId, message.Body.ToString());
        }
    }
}
