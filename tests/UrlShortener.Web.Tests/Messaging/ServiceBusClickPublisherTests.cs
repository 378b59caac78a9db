using System.Net;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Messaging;

public sealed class ServiceBusClickPublisherTests
{
    [Fact]
    public async Task Clicks_reach_the_queue_in_batches_that_fit_its_size_limit_with_a_message_id_each_and_count_once()
    {
        // 16 KB: a message of 100 entries (about 12 KB) fits alone, never two; a smaller limit splits messages.
        var sender = new FakeServiceBusSender { MaxBatchBytes = 16 * 1024 };
        var queue = new FakeServiceBusQueue();
        using var app = AppSendingTo(sender, batchSize: 500, queue: queue);
        var codes = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await app.Client().CreateLinkAsync(new { url = $"https://example.com/sb{i}" })).Code);
        }

        // Many kinds of visitor: many entries, so a batch needs several messages and several batches.
        var visitor = app.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        for (var i = 0; i < 600; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{codes[i % 4]}");
            request.Headers.Referrer = new Uri($"https://site{i}.example.org/page");
            (await visitor.SendAsync(request)).Dispose();
        }

        var received = await WaitForClicksAsync(sender, 600);

        Assert.All(sender.Sends, send => Assert.True(send.Bytes <= sender.MaxBatchBytes, $"a batch of {send.Bytes} bytes"));
        Assert.True(sender.Sends.Count > 1);
        Assert.All(received, m => Assert.False(string.IsNullOrEmpty(m.MessageId)));
        Assert.Equal(received.Count, received.Select(m => m.MessageId).Distinct().Count());
        Assert.All(received, m => Assert.True(EntriesIn(m) <= 100));

        // What the queue received is what the aggregator gets: deliver it, twice.
        await DeliverAsync(queue, received);
        await DeliverAsync(queue, received);
        var stats = app.Services.GetRequiredService<IStatsStore>();
        long total = 0;
        foreach (var code in codes)
        {
            total += await stats.TotalAsync(code, CancellationToken.None);
        }

        Assert.Equal(600, total);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_under_the_same_message_ids_so_nothing_is_lost_or_doubled()
    {
        var sender = new FakeServiceBusSender();
        sender.ThenFail(FakeServiceBusSender.Transient());
        sender.ThenLandButFail();
        var queue = new FakeServiceBusQueue();
        using var app = AppSendingTo(sender, queue: queue);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/retry" });

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 25);
        await WaitForSendsAsync(sender, 3);
        var received = await WaitForClicksAsync(sender, 25);

        // The batch landed twice (its answer was lost once), under the same ids: the aggregator counts it once.
        Assert.Equal(2 * received.Select(m => m.MessageId).Distinct().Count(), received.Count);
        await DeliverAsync(queue, received);
        Assert.Equal(25, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task A_permanent_failure_keeps_the_clicks_buffered_while_there_is_room_and_counts_what_is_dropped()
    {
        var sender = new FakeServiceBusSender { Otherwise = FakeServiceBusSender.Permanent };
        using var app = AppSendingTo(sender, bufferCapacity: 100);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/down" });

        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 60);
        await WaitForSendsAsync(sender, 2);
        await ClickStatsTests<ShortenerApp>.VisitAsync(app, link.Code, 240);
        var recorder = app.Services.GetRequiredService<ClickRecorder>();
        Assert.True(recorder.Dropped > 0, "a full buffer drops clicks");
        Assert.True(recorder.Dropped <= 240 - 100 + 60, $"{recorder.Dropped} dropped");

        // Service Bus is back: everything the buffer kept arrives, once.
        sender.Otherwise = null;
        var expected = 300 - (int)recorder.Dropped;
        var received = await WaitForClicksAsync(sender, expected);
        Assert.Equal(expected, received.Sum(ClicksIn));
        Assert.Equal(300, recorder.Dropped + expected);
    }

    [Fact]
    public async Task Redirects_do_not_wait_for_a_queue_that_refuses()
    {
        var sender = new FakeServiceBusSender { Otherwise = FakeServiceBusSender.Transient };
        using var app = AppSendingTo(sender);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/stuck" });

        var visitor = app.ClientWith(null);
        visitor.Timeout = TimeSpan.FromSeconds(2);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            using var response = await visitor.GetAsync($"/{link.Code}");
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Found, s));

        // Ready all the same (redirects work), and degraded while clicks cannot leave.
        await WaitForSendsAsync(sender, 1);
        using var ready = await visitor.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"servicebus\":{\"status\":\"Degraded\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_bus_message_holds_100_entries_unless_told_and_never_more_than_500()
    {
        using var app = AppSendingTo(new FakeServiceBusSender());

        Assert.Equal(ClickOptions.ServiceBusBatchSize, app.Services.GetRequiredService<IOptions<ClickOptions>>().Value.BatchSize);
        var validators = app.Services.GetServices<IValidateOptions<ClickOptions>>().ToList();
        bool Valid(int batchSize) => validators.All(v => v.Validate(Options.DefaultName, new ClickOptions { BatchSize = batchSize }).Succeeded);
        Assert.False(Valid(501));
        Assert.True(Valid(500));
    }

    private static ShortenerApp AppSendingTo(FakeServiceBusSender sender, int? batchSize = null, int? bufferCapacity = null, FakeServiceBusQueue? queue = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clicks:ShutdownFlushSeconds"] = "1",
            ["ServiceBus:ConnectionString"] = "Endpoint=sb://test-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0",
            ["Clicks:LingerMilliseconds"] = "50",
        };
        if (batchSize is { } size)
        {
            settings["Clicks:BatchSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (bufferCapacity is { } capacity)
        {
            settings["Clicks:BufferCapacity"] = capacity.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var receiver = new FakeServiceBusReceiver(queue ?? new FakeServiceBusQueue());
        return new ShortenerApp
        {
            Settings = settings,
            ConfigureServices = services =>
            {
                services.AddSingleton<ServiceBusSender>(sender);
                services.AddSingleton<ServiceBusReceiver>(receiver);
            },
        };
    }

    // What the queue received, delivered to the app's drain; it returns once every message is settled.
    private static async Task DeliverAsync(FakeServiceBusQueue queue, IReadOnlyList<ServiceBusReceivedMessage> messages)
    {
        foreach (var message in messages)
        {
            queue.Send(message.MessageId, message.Body.ToString());
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (queue.ActiveCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, queue.ActiveCount);
    }

    private static int EntriesIn(ServiceBusReceivedMessage message) =>
        JsonDocument.Parse(message.Body.ToString()).RootElement.GetProperty("clicks").GetArrayLength();

    // Visits with the same facts in the same hour travel as one entry with a count "n" (absent: 1).
    private static int ClicksIn(ServiceBusReceivedMessage message) =>
        JsonDocument.Parse(message.Body.ToString()).RootElement.GetProperty("clicks").EnumerateArray()
            .Sum(entry => entry.TryGetProperty("n", out var n) ? n.GetInt32() : 1);

    private static async Task<List<ServiceBusReceivedMessage>> WaitForClicksAsync(FakeServiceBusSender sender, int clicks)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var received = sender.Received.ToList();
            if (received.DistinctBy(m => m.MessageId).Sum(ClicksIn) >= clicks)
            {
                return received;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The fake sender did not receive {clicks} clicks.");
    }

    private static async Task WaitForSendsAsync(FakeServiceBusSender sender, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (sender.Sends.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(sender.Sends.Count >= count, $"{sender.Sends.Count} sends, expected {count}");
    }
}
