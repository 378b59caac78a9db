using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;

namespace UrlShortener.FakeServiceBusHook;

/// <summary>A FAKE <see cref="ServiceBusSender"/>: a batch's messages go to the tests' fake queue.</summary>
public sealed class BridgedServiceBusSender(HttpClient http) : ServiceBusSender
{
    private readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = [];

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
        CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
    {
        var store = new List<ServiceBusMessage>();
        long size = 0;
        var limit = options.MaxSizeInBytes ?? 256 * 1024;
        var batch = ServiceBusModelFactory.ServiceBusMessageBatch(limit, store, options, message =>
        {
            size += message.Body.ToMemory().Length + 128;
            return size <= limit;
        });
        _batches.Add(batch, store);
        return ValueTask.FromResult(batch);
    }

    public override async Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
    {
        var messages = _batches.TryGetValue(messageBatch, out var store) ? store : throw new InvalidOperationException("Not a batch of this sender.");
        using var response = await http.PostAsJsonAsync("/send", messages.Select(m => new WireMessage(m.MessageId, m.Body.ToString())).ToList(), cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The app sends ServiceBusMessageBatch only.");

    public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

#pragma warning disable CA2215
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215
}

/// <summary>A FAKE PeekLock <see cref="ServiceBusReceiver"/> over the tests' fake queue.</summary>
public sealed class BridgedServiceBusReceiver(HttpClient http) : ServiceBusReceiver
{
    public override string EntityPath => "clicks";

    public override ServiceBusReceiveMode ReceiveMode => ServiceBusReceiveMode.PeekLock;

    public override async Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("/receive", new WireReceive(maxMessages, (int)(maxWaitTime ?? TimeSpan.FromSeconds(60)).TotalMilliseconds), cancellationToken);
        response.EnsureSuccessStatusCode();
        var received = await response.Content.ReadFromJsonAsync<List<WireReceived>>(cancellationToken) ?? [];
        return received.Select(m => ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: BinaryData.FromString(m.Body),
            messageId: m.MessageId,
            lockTokenGuid: m.LockToken,
            deliveryCount: m.DeliveryCount,
            lockedUntil: m.LockedUntil,
            sequenceNumber: m.SequenceNumber)).ToList();
    }

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        SettleAsync("/complete", new WireSettle(message.SequenceNumber, Guid.Parse(message.LockToken)), cancellationToken);

    public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
        SettleAsync("/abandon", new WireSettle(message.SequenceNumber, Guid.Parse(message.LockToken)), cancellationToken);

    public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        SettleAsync("/deadletter", new WireSettle(message.SequenceNumber, Guid.Parse(message.LockToken), deadLetterReason, deadLetterErrorDescription), cancellationToken);

    public override Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

#pragma warning disable CA2215
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215

    private async Task SettleAsync(string path, WireSettle settle, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(path, settle, cancellationToken);
        if ((int)response.StatusCode == FakeServiceBusWire.LockLostStatus)
        {
            throw new ServiceBusException("The lock supplied is invalid (fake).", ServiceBusFailureReason.MessageLockLost, "clicks");
        }

        response.EnsureSuccessStatusCode();
    }
}
