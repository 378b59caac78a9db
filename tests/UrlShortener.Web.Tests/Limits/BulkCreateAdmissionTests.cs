using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Tests.Limits;

/// <summary>The bulk create's admission: so many run at once, the rest wait in order, and a full queue is a 503.</summary>
public sealed class BulkCreateAdmissionTests
{
    [Fact]
    public async Task Beyond_its_concurrency_calls_wait_and_then_run_oldest_first()
    {
        using var admission = Admission(concurrency: 1);
        var first = new TaskCompletionSource<object?>();
        var running = admission.InvokeAsync(Call(), _ => new ValueTask<object?>(first.Task)).AsTask();
        var order = new List<int>();
        var waiting = Enumerable.Range(1, 3).Select(i => admission.InvokeAsync(Call(), _ =>
        {
            lock (order)
            {
                order.Add(i);
            }

            return ValueTask.FromResult<object?>(i);
        }).AsTask()).ToList();

        await Task.Delay(50);
        Assert.Empty(order);
        first.SetResult("first");

        Assert.Equal("first", await running);
        Assert.Equal([1, 2, 3], (await Task.WhenAll(waiting)).Cast<int>());
        Assert.Equal([1, 2, 3], order);
    }

    [Fact]
    public async Task Past_the_queue_limit_a_call_is_refused_with_503_and_a_retry_after()
    {
        using var admission = Admission(concurrency: 2);
        var release = new TaskCompletionSource<object?>();
        var admitted = Enumerable.Range(0, 2 + BulkCreateAdmission.QueueLimit)
            .Select(_ => admission.InvokeAsync(Call(), _ => new ValueTask<object?>(release.Task)).AsTask())
            .ToList();

        var refused = Call();
        var answer = await admission.InvokeAsync(refused, _ => throw new InvalidOperationException("A refused call must not run."));

        var problem = Assert.IsType<ProblemHttpResult>(answer);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.Contains("waiting their turn", problem.ProblemDetails.Detail, StringComparison.Ordinal);
        Assert.Equal("1", refused.HttpContext.Response.Headers.RetryAfter.ToString());
        release.SetResult("done");
        Assert.All(await Task.WhenAll(admitted), result => Assert.Equal("done", result));
    }

    [Fact]
    public async Task A_waiting_call_whose_client_left_gives_up_its_place()
    {
        using var admission = Admission(concurrency: 1);
        var release = new TaskCompletionSource<object?>();
        var running = admission.InvokeAsync(Call(), _ => new ValueTask<object?>(release.Task)).AsTask();
        using var gone = new CancellationTokenSource();
        var leaving = Call(gone.Token);
        var left = admission.InvokeAsync(leaving, _ => throw new InvalidOperationException("A call whose client left must not run.")).AsTask();
        var next = admission.InvokeAsync(Call(), _ => ValueTask.FromResult<object?>("next")).AsTask();

        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        release.SetResult("first");

        Assert.Equal("first", await running);
        Assert.Equal("next", await next);
    }

    [Fact]
    public void Unset_it_runs_as_many_at_once_as_there_are_processors_and_at_least_two()
    {
        using var admission = new BulkCreateAdmission(Options.Create(new ShortenerOptions()));

        Assert.Equal(Math.Max(2, Environment.ProcessorCount), admission.Concurrency);
    }

    private static BulkCreateAdmission Admission(int concurrency) =>
        new(Options.Create(new ShortenerOptions { BulkCreateConcurrency = concurrency }));

    private static DefaultEndpointFilterInvocationContext Call(CancellationToken aborted = default) =>
        new(new DefaultHttpContext { RequestAborted = aborted });
}
