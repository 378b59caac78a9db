using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Functions.Clicks;
using UrlShortener.Functions.Hosting;

namespace UrlShortener.Functions.Messaging;

/// <summary>
/// Sends click batches to the Service Bus queue over its REST API (no AMQP client restores here):
/// one REST batch request, each message carrying up to 100 clicks with a MessageId of its own that is
/// kept across retries, so the queue's duplicate detection and the aggregator both drop a resend.
/// Transient failures (408, 429, 5xx, timeouts) are retried with jittered exponential backoff,
/// honouring Retry-After; anything else fails at once and the batcher tries again later.
/// </summary>
public sealed class ServiceBusClickPublisher(
    HttpClient http,
    IServiceBusAuthorization authorization,
    IOptions<ServiceBusOptions> options,
    ILogger<ServiceBusClickPublisher> logger) : IClickPublisher
{
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";
    private const int ClicksPerMessage = 100;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly ServiceBusOptions _options = options.Value;

    public Uri QueueUri { get; } = new(BaseUri(options.Value, authorization), $"{options.Value.QueueName}/messages");

    public async Task PublishAsync(IReadOnlyList<ClickEvent> clicks, CancellationToken cancellationToken)
    {
        var messages = clicks.Chunk(ClicksPerMessage)
            .Select(chunk => new ServiceBusMessage(ClickMessage.Serialize(chunk), new BrokerProperties(Guid.NewGuid().ToString("N"), "application/json")))
            .ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(messages, ServiceBusJsonContext.Default.ListServiceBusMessage);

        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            HttpStatusCode? status = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, QueueUri) { Content = new ByteArrayContent(body) };

                // Exactly this media type, without a charset parameter.
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(BatchContentType);
                request.Headers.TryAddWithoutValidation("Authorization", await authorization.HeaderAsync(QueueUri, cancellationToken).ConfigureAwait(false));
                using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    return;
                }

                status = response.StatusCode;
                retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta ?? (header.Date - DateTimeOffset.UtcNow)
                    : null;
                if (!IsTransient(response.StatusCode))
                {
                    throw new HttpRequestException($"Service Bus refused the batch: {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
                }
            }
            catch (Exception exception) when (attempt < _options.MaxAttempts
                && (exception is HttpRequestException { StatusCode: null } || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)))
            {
                // Refused connection or timeout: transient.
            }

            if (attempt >= _options.MaxAttempts)
            {
                throw new HttpRequestException($"Service Bus did not take the batch after {attempt} attempts (last: {(int?)status}).", null, status);
            }

            var delay = Backoff(attempt, retryAfter);
            Log.ServiceBusRetry(logger, (int?)status ?? 0, attempt, delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    // Retry-After when the server says; else 200 ms doubling, with full jitter, at most 30 s.
    private static TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } after && after > TimeSpan.Zero)
        {
            return after < MaxDelay ? after : MaxDelay;
        }

        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, 200 * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + (Random.Shared.NextDouble() * ceiling / 2));
    }

    private static Uri BaseUri(ServiceBusOptions options, IServiceBusAuthorization authorization)
    {
        if (!string.IsNullOrWhiteSpace(options.Endpoint))
        {
            return new Uri(options.Endpoint.TrimEnd('/') + "/");
        }

        return authorization is SharedAccessSignature { Endpoint: { } endpoint }
            ? endpoint
            : new Uri($"https://{options.FullyQualifiedNamespace}/");
    }
}

/// <summary>One message of a Service Bus REST batch: the body as a string, and its broker properties.</summary>
internal sealed record ServiceBusMessage(
    [property: JsonPropertyName("Body")] string Body,
    [property: JsonPropertyName("BrokerProperties")] BrokerProperties BrokerProperties);

internal sealed record BrokerProperties(
    [property: JsonPropertyName("MessageId")] string MessageId,
    [property: JsonPropertyName("ContentType")] string ContentType);

[JsonSerializable(typeof(List<ServiceBusMessage>))]
internal sealed partial class ServiceBusJsonContext : JsonSerializerContext;
