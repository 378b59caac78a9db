using Azure.Messaging.ServiceBus;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// A FAKE Service Bus queue (no Service Bus runs here) that behaves as the service does for one PeekLock
/// receiver: a receive locks messages for <see cref="LockDuration"/> and raises their delivery count; complete,
/// abandon and dead-letter need the lock still held (else <see cref="ServiceBusFailureReason.MessageLockLost"/>);
/// an abandoned or expired message is delivered again; one delivered <see cref="MaxDeliveryCount"/> times and
/// abandoned again goes to the dead-letter queue, as does a message dead-lettered by the receiver.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It fakes a Service Bus queue; it is no System.Collections queue.")]
public sealed class FakeServiceBusQueue(TimeProvider? clock = null)
{
    private readonly object _gate = new();
    private readonly List<Entry> _messages = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private long _sequence;

    public TimeProvider Clock { get; } = clock ?? TimeProvider.System;

    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(2);

    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>Messages not yet completed or dead-lettered (locked ones included).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    public IReadOnlyList<DeadLetter> DeadLetters
    {
        get
        {
            lock (_gate)
            {
                return _deadLetters.ToList();
            }
        }
    }

    /// <summary>How many times any message was delivered, in all.</summary>
    public int Deliveries { get; private set; }

    /// <summary>Runs just before each receive returns its messages; a test uses it to act "in the middle of a batch".</summary>
    public Action<IReadOnlyList<ServiceBusReceivedMessage>>? OnReceived { get; set; }

    public void Send(string messageId, string body)
    {
        lock (_gate)
        {
            _messages.Add(new Entry(++_sequence, messageId, BinaryData.FromString(body)));
        }
    }

    /// <summary>Lets every lock held now run out, as if the receiver had been slower than the lock duration.</summary>
    public void ExpireLocks()
    {
        lock (_gate)
        {
            foreach (var entry in _messages.Where(e => e.LockToken is not null))
            {
                entry.LockedUntil = Clock.GetUtcNow().AddTicks(-1);
            }
        }
    }

    public IReadOnlyList<ServiceBusReceivedMessage> Receive(int maxMessages)
    {
        List<ServiceBusReceivedMessage> received = [];
        lock (_gate)
        {
            var now = Clock.GetUtcNow();
            foreach (var entry in _messages.OrderBy(e => e.Sequence).ToList())
            {
                if (received.Count == maxMessages)
                {
                    break;
                }

                if (entry.LockToken is not null && entry.LockedUntil > now)
                {
                    continue;
                }

                // A lock that ran out counts as a delivery the receiver did not settle.
                if (entry.DeliveryCount >= MaxDeliveryCount)
                {
                    MoveToDeadLetters(entry, "MaxDeliveryCountExceeded", $"Delivered {entry.DeliveryCount} times.");
                    continue;
                }

                entry.DeliveryCount++;
                entry.LockToken = Guid.NewGuid();
                entry.LockedUntil = now + LockDuration;
                Deliveries++;
                received.Add(ServiceBusModelFactory.ServiceBusReceivedMessage(
                    body: entry.Body,
                    messageId: entry.MessageId,
                    lockTokenGuid: entry.LockToken.Value,
                    deliveryCount: entry.DeliveryCount,
                    lockedUntil: entry.LockedUntil,
                    sequenceNumber: entry.Sequence,
                    enqueuedTime: now));
            }
        }

        OnReceived?.Invoke(received);
        return received;
    }

    public void Complete(ServiceBusReceivedMessage message)
    {
        lock (_gate)
        {
            _messages.Remove(Locked(message));
        }
    }

    public void Abandon(ServiceBusReceivedMessage message)
    {
        lock (_gate)
        {
            var entry = Locked(message);
            entry.LockToken = null;
            if (entry.DeliveryCount >= MaxDeliveryCount)
            {
                MoveToDeadLetters(entry, "MaxDeliveryCountExceeded", $"Delivered {entry.DeliveryCount} times.");
            }
        }
    }

    public void DeadLetterMessage(ServiceBusReceivedMessage message, string reason, string? description)
    {
        lock (_gate)
        {
            MoveToDeadLetters(Locked(message), reason, description);
        }
    }

    private Entry Locked(ServiceBusReceivedMessage message)
    {
        var entry = _messages.SingleOrDefault(e => e.Sequence == message.SequenceNumber);
        if (entry?.LockToken is not { } token || token.ToString() != message.LockToken || entry.LockedUntil <= Clock.GetUtcNow())
        {
            throw new ServiceBusException("The lock supplied is invalid: it expired, or the message was already settled (fake).", ServiceBusFailureReason.MessageLockLost, "clicks");
        }

        return entry;
    }

    private void MoveToDeadLetters(Entry entry, string reason, string? description)
    {
        _messages.Remove(entry);
        _deadLetters.Add(new DeadLetter(entry.MessageId, entry.Body.ToString(), reason, description, entry.DeliveryCount));
    }

    public sealed record DeadLetter(string MessageId, string Body, string Reason, string? Description, int DeliveryCount);

    private sealed class Entry(long sequence, string messageId, BinaryData body)
    {
        public long Sequence { get; } = sequence;

        public string MessageId { get; } = messageId;

        public BinaryData Body { get; } = body;

        public int DeliveryCount { get; set; }

        public Guid? LockToken { get; set; }

        public DateTimeOffset LockedUntil { get; set; }
    }
}

/// <summary>A FAKE <see cref="ServiceBusReceiver"/> in PeekLock over a <see cref="FakeServiceBusQueue"/>, through the SDK's virtual members.</summary>
public sealed class FakeServiceBusReceiver(FakeServiceBusQueue queue) : ServiceBusReceiver
{
    public override string EntityPath => "clicks";

    public override ServiceBusReceiveMode ReceiveMode => ServiceBusReceiveMode.PeekLock;

    public override async Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        // Waits for a first message as the service does, though in short steps.
        var deadline = queue.Clock.GetUtcNow() + (maxWaitTime ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var received = queue.Receive(maxMessages);
            if (received.Count > 0 || queue.Clock.GetUtcNow() >= deadline)
            {
                return received;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        Settle(() => queue.Complete(message));

    public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
        Settle(() => queue.Abandon(message));

    public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        Settle(() => queue.DeadLetterMessage(message, deadLetterReason, deadLetterErrorDescription));

    public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

#pragma warning disable CA2215
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215

    private static Task Settle(Action settle)
    {
        try
        {
            settle();
            return Task.CompletedTask;
        }
        catch (ServiceBusException exception)
        {
            return Task.FromException(exception);
        }
    }
}
