using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Functions.Clicks;
using UrlShortener.Functions.Tests.Clicks;
using UrlShortener.Functions.Tests.Infrastructure;

namespace UrlShortener.Functions.Tests.Messaging;

public sealed class ServiceBusClickPublisherTests
{
    private static readonly FakeEntraCredential Credential = new("test-token");

    [Fact]
    public async Task Clicks_reach_the_queue_as_a_rest_batch_with_a_bearer_token_and_count_once_through_the_aggregator()
    {
        await using var bus = await FakeServiceBus.StartAsync();
        using var app = AppSendingTo(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/sb" });

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 250);
        var sends = await WaitForClicksAsync(bus, 250);

        Assert.All(sends, send =>
        {
            Assert.Equal("/clicks/messages", send.Path);
            Assert.Equal("Bearer test-token", send.Authorization);
            Assert.Equal("application/vnd.microsoft.servicebus.json", send.ContentType);
        });
        Assert.Equal("https://servicebus.azure.net/.default", Credential.LastScope);
        var messages = sends.SelectMany(s => JsonDocument.Parse(s.Body).RootElement.EnumerateArray()).ToList();
        var ids = messages.Select(m => m.GetProperty("BrokerProperties").GetProperty("MessageId").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(messages, m => Assert.True(EntriesIn(m) <= 100));

        // What the queue received is what the host hands the aggregator: deliver it, twice.
        var envelope = HostEnvelope.ServiceBusBatch(messages.Select(m => (m.GetProperty("BrokerProperties").GetProperty("MessageId").GetString()!, m.GetProperty("Body").GetString()!)).ToArray());
        (await app.ClientWith(null).PostAsync("/ClickAggregator", HostEnvelope.Content(envelope))).Dispose();
        (await app.ClientWith(null).PostAsync("/ClickAggregator", HostEnvelope.Content(envelope))).Dispose();
        Assert.Equal(250, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task Throttling_and_outages_are_retried_honouring_retry_after_with_the_same_message_id()
    {
        await using var bus = await FakeServiceBus.StartAsync();
        bus.Then(FakeServiceBus.Status(429, retryAfter: "1"));
        bus.Then(FakeServiceBus.Status(503));
        using var app = AppSendingTo(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/retry" });

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 1);
        await WaitForSendsAsync(bus, 3);

        var sends = bus.Sends.ToList();
        var ids = sends.Select(s => JsonDocument.Parse(s.Body).RootElement[0].GetProperty("BrokerProperties").GetProperty("MessageId").GetString()).ToList();
        Assert.Single(ids.Distinct());
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(sends[1].At - sends[0].At).TotalMilliseconds} ms despite Retry-After: 1");
    }

    [Fact]
    public async Task A_connection_string_signs_with_a_shared_access_signature()
    {
        await using var bus = await FakeServiceBus.StartAsync();
        const string key = "c2VjcmV0LWtleS1mb3ItdGVzdHM=";
        using var app = new ShortenerApp
        {
            Settings = new Dictionary<string, string?>
            {
                ["ServiceBus:ConnectionString"] = $"Endpoint=sb://test-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={key}",
                ["ServiceBus:Endpoint"] = bus.Address.ToString(),
                ["Clicks:LingerMilliseconds"] = "50",
            },
        };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/sas" });

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 1);
        var send = (await WaitForSendsAsync(bus, 1))[0];

        var fields = send.Authorization["SharedAccessSignature ".Length..].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => WebUtility.UrlDecode(p[1]));
        Assert.StartsWith("SharedAccessSignature ", send.Authorization, StringComparison.Ordinal);
        Assert.Equal("send", fields["skn"]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{WebUtility.UrlEncode(fields["sr"])}\n{fields["se"]}")));
        Assert.Equal(expected, fields["sig"]);
        Assert.EndsWith("/clicks/messages", fields["sr"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hangs")]
    [InlineData("refuses")]
    public async Task Redirects_do_not_wait_for_a_queue_that_hangs_or_refuses(string failure)
    {
        var bus = await FakeServiceBus.StartAsync();
        bus.Otherwise = FakeServiceBus.Hang;
        using var app = AppSendingTo(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/stuck" });
        if (failure == "refuses")
        {
            await bus.DisposeAsync();
        }

        var visitor = app.ClientWith(null);
        visitor.Timeout = TimeSpan.FromSeconds(2);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            using var response = await visitor.GetAsync($"/{link.Code}");
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Found, s));
        if (failure == "hangs")
        {
            await bus.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_service_bus_message_holds_100_entries_unless_told_and_never_more_than_500()
    {
        await using var bus = await FakeServiceBus.StartAsync();
        using var app = AppSendingTo(bus);

        Assert.Equal(ClickOptions.ServiceBusBatchSize, app.Services.GetRequiredService<IOptions<ClickOptions>>().Value.BatchSize);
        var validators = app.Services.GetServices<IValidateOptions<ClickOptions>>().ToList();
        bool Valid(int batchSize) => validators.All(v => v.Validate(Options.DefaultName, new ClickOptions { BatchSize = batchSize }).Succeeded);
        Assert.False(Valid(501));
        Assert.True(Valid(500));
    }

    private static ShortenerApp AppSendingTo(FakeServiceBus bus) => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Clicks:ShutdownFlushSeconds"] = "1",
            ["ServiceBus:FullyQualifiedNamespace"] = "test-ns.servicebus.windows.net",
            ["ServiceBus:Endpoint"] = bus.Address.ToString(),
            ["Clicks:LingerMilliseconds"] = "50",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071",
        },
        ConfigureServices = services => services.AddSingleton<TokenCredential>(Credential),
    };

    private static int EntriesIn(JsonElement message) =>
        JsonDocument.Parse(message.GetProperty("Body").GetString()!).RootElement.GetProperty("clicks").GetArrayLength();

    // Visits with the same facts in the same hour travel as one entry with a count "n" (absent: 1).
    private static int ClicksIn(JsonElement message) =>
        JsonDocument.Parse(message.GetProperty("Body").GetString()!).RootElement.GetProperty("clicks").EnumerateArray()
            .Sum(entry => entry.TryGetProperty("n", out var n) ? n.GetInt32() : 1);

    private static async Task<List<ReceivedSend>> WaitForClicksAsync(FakeServiceBus bus, int clicks)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var sends = bus.Sends.ToList();
            if (sends.SelectMany(s => JsonDocument.Parse(s.Body).RootElement.EnumerateArray()).Sum(ClicksIn) >= clicks)
            {
                return sends;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The fake Service Bus did not receive {clicks} clicks.");
    }

    private static async Task<List<ReceivedSend>> WaitForSendsAsync(FakeServiceBus bus, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (bus.Sends.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(bus.Sends.Count >= count, $"{bus.Sends.Count} sends, expected {count}");
        return [.. bus.Sends];
    }
}
