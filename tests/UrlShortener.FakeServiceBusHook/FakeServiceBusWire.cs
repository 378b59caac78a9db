namespace UrlShortener.FakeServiceBusHook;

/// <summary>The loopback protocol between the worker's fake Service Bus clients and the tests' fake queue.</summary>
public static class FakeServiceBusWire
{
    public const string UrlVariable = "URLSHORTENER_FAKE_SERVICEBUS_URL";

    public const int LockLostStatus = 410;
}

public sealed record WireMessage(string MessageId, string Body);

public sealed record WireReceive(int MaxMessages, int MaxWaitMilliseconds);

public sealed record WireReceived(string MessageId, string Body, long SequenceNumber, int DeliveryCount, Guid LockToken, DateTimeOffset LockedUntil);

public sealed record WireSettle(long SequenceNumber, Guid LockToken, string? Reason = null, string? Description = null);
