using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using UrlShortener.Web.Tests.Infrastructure;
using UrlShortener.Web.Tests.Infrastructure.FunctionsHost.Rpc;

namespace UrlShortener.Web.Tests.Functions;

/// <summary>
/// The timer-driven aggregator through the fake host, on the FAKE Service Bus: each click counted exactly once
/// across a redelivery, an abandon, a lock that runs out in the middle of a batch, and a crash of the worker
/// between applying and completing; an unreadable message dead-lettered without stopping the rest.
/// </summary>
public sealed class FunctionsClickDrainTests : IAsyncLifetime, IDisposable
{
    private static readonly Dictionary<string, string?> FastPipeline = new() { ["Clicks:LingerMilliseconds"] = "50" };

    private FakeServiceBusServer _bus = null!;
    private WorkerApp _worker = null!;

    public async Task InitializeAsync()
    {
        _bus = await FakeServiceBusServer.StartAsync();
        _worker = new WorkerApp { ServiceBus = _bus, Settings = FastPipeline };
    }

    public async Task DisposeAsync()
    {
        _worker.Dispose();
        await _bus.DisposeAsync();
    }

    public void Dispose() => _worker?.Dispose();

    [Fact]
    public async Task Redirects_through_the_worker_reach_service_bus_and_are_counted_once_even_when_delivered_again()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/over-service-bus" });
        await VisitAsync(_worker, link.Code, 4);
        await WaitForMessagesAsync(4);

        await AggregateAsync(_worker);
        Assert.Equal(4, await TotalAsync(_worker, link.Code));

        // The same messages again (what the service does after a lost settlement): nothing more.
        _bus.Queue.Send("again-1", Message(link.Code, 2));
        _bus.Queue.Send("again-1", Message(link.Code, 2));
        await AggregateAsync(_worker);
        Assert.Equal(6, await TotalAsync(_worker, link.Code));
        Assert.Equal(0, _bus.Queue.ActiveCount);
    }

    [Fact]
    public async Task A_message_abandoned_while_the_store_is_locked_is_delivered_again_and_counted_once()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/abandoned" });
        _bus.Queue.Send("while-locked", Message(link.Code, 3));

        // Another process holds the embedded store's write lock: the apply fails, the drain gives the message back.
        await using (var blocker = new SqliteConnection($"Data Source={Path.Combine(_worker.DataDirectory, "links.db")};Pooling=False"))
        {
            await blocker.OpenAsync();
            await using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            await AggregateAsync(_worker);
            Assert.Equal(1, _bus.Queue.ActiveCount);
        }

        await AggregateAsync(_worker);

        Assert.Equal(0, _bus.Queue.ActiveCount);
        Assert.Equal(2, _bus.Queue.Deliveries);
        Assert.Equal(3, await TotalAsync(_worker, link.Code));
    }

    [Fact]
    public async Task Messages_whose_lock_runs_out_in_the_middle_of_a_batch_are_counted_once()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/lock-ran-out" });
        _bus.Queue.Send("slow-1", Message(link.Code, 5));
        _bus.Queue.Send("slow-2", Message(link.Code, 7));
        var first = 0;
        _bus.Queue.OnReceived = received =>
        {
            if (received.Count > 0 && Interlocked.Exchange(ref first, 1) == 0)
            {
                _bus.Queue.ExpireLocks();
            }
        };

        await AggregateAsync(_worker);
        await AggregateAsync(_worker);

        Assert.Equal(0, _bus.Queue.ActiveCount);
        Assert.Equal(4, _bus.Queue.Deliveries);
        Assert.Equal(12, await TotalAsync(_worker, link.Code));
    }

    [Fact]
    public async Task A_worker_that_crashes_between_applying_and_completing_counts_nothing_twice()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/crash" });
        _bus.Queue.Send("before-crash", Message(link.Code, 9));
        var completing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _bus.BeforeComplete = () =>
        {
            completing.TrySetResult();
            return Task.Delay(Timeout.Infinite);
        };

        // The clicks are applied; the worker dies while it completes the message.
        var aggregating = _worker.Host.InvokeTimerAsync("aggregateClicks");
        await completing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _worker.Host.Kill();
        _bus.BeforeComplete = null;
        _ = aggregating.ContinueWith(t => t.Exception, TaskScheduler.Default);

        // Its lock runs out; a new instance on the same store takes the message again.
        _bus.Queue.ExpireLocks();
        using var restarted = new WorkerApp { ServiceBus = _bus, Settings = FastPipeline, SharedDataDirectory = _worker.DataDirectory };
        await AggregateAsync(restarted);

        Assert.Equal(0, _bus.Queue.ActiveCount);
        Assert.Equal(2, _bus.Queue.Deliveries);
        Assert.Equal(9, await TotalAsync(restarted, link.Code));
    }

    [Fact]
    public async Task An_unreadable_message_is_dead_lettered_with_a_reason_and_the_rest_are_counted()
    {
        var link = await _worker.Client().CreateLinkAsync(new { url = "https://example.com/poison" });
        _bus.Queue.Send("good-1", Message(link.Code, 2));
        _bus.Queue.Send("poison", "{not json");
        _bus.Queue.Send("good-2", Message(link.Code, 3));

        await AggregateAsync(_worker);

        var dead = Assert.Single(_bus.Queue.DeadLetters);
        Assert.Equal("poison", dead.MessageId);
        Assert.Equal("UnreadableClickMessage", dead.Reason);
        Assert.False(string.IsNullOrEmpty(dead.Description));
        Assert.Equal(0, _bus.Queue.ActiveCount);
        Assert.Equal(5, await TotalAsync(_worker, link.Code));
    }

    private static string Message(string code, int count) => JsonSerializer.Serialize(new
    {
        clicks = new object[] { new { code, ts = DateTimeOffset.UtcNow, browser = "Chrome", os = "Windows", device = "Desktop", n = count } },
    });

    private static async Task VisitAsync(WorkerApp worker, string code, int times)
    {
        var visitor = worker.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd(Clicks.ClickStatsTests<ShortenerApp>.Chrome);
        for (var i = 0; i < times; i++)
        {
            using var redirect = await visitor.GetAsync($"/{code}");
            Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        }
    }

    private static async Task AggregateAsync(WorkerApp worker)
    {
        var run = await worker.Host.InvokeTimerAsync("aggregateClicks");
        Assert.True(run.Result.Status == StatusResult.Types.Status.Success, run.Result.Exception?.Message);
    }

    private static async Task<long> TotalAsync(WorkerApp worker, string code) =>
        (await worker.Client().GetFromJsonAsync<JsonElement>($"/api/links/{code}/stats")).GetProperty("total").GetInt64();

    private async Task WaitForMessagesAsync(int clicks)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_bus.Queue.ActiveCount == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        // The batcher lingers 50 ms: give it the time to send the last visits too.
        await Task.Delay(300);
        Assert.True(_bus.Queue.ActiveCount > 0, $"no message with {clicks} clicks reached the queue");
    }
}
