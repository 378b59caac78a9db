using System.Net;
using System.Net.Http.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Idempotency;

/// <summary>Idempotency-Key on <c>POST /api/links</c>, through either host and on either store.</summary>
public abstract class IdempotencyTests<TStarter>(TStarter apps, Backend backend) : IClassFixture<TStarter>
    where TStarter : AppStarter
{
    private protected TStarter Apps => apps;

    private protected Backend Backend => backend;

    [Fact]
    public async Task Fifty_concurrent_creates_with_one_key_and_one_body_make_one_link_and_every_answer_names_its_code()
    {
        var app = apps.Start(backend);
        var client = app.Client();
        var key = Guid.NewGuid().ToString();
        var url = $"https://example.com/once/{Guid.NewGuid():N}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => CreateUntilAnsweredAsync(client, key, new { url })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        var code = Assert.Single(answers.Select(a => a.Link.Code).Distinct());
        Assert.Equal(49, answers.Count(a => a.Replayed));
        Assert.All(answers, a => Assert.Equal($"/api/links/{code}", a.Location));
        var page = await client.GetFromJsonAsync<LinkListJson>("/api/links?limit=100");
        Assert.Single(page!.Items, l => l.Url == url);
    }

    [Fact]
    public async Task The_same_key_with_another_body_answers_422_and_another_owner_has_keys_of_its_own()
    {
        var app = apps.Start(backend);
        var key = "\"" + Guid.NewGuid() + "\"";
        var first = await CreateUntilAnsweredAsync(app.Client(), key, new { url = "https://example.com/first" });
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.False(first.Replayed);

        using var other = Post(app.Client(), key, new { url = "https://example.com/second" });
        using (var response = await other)
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, "urn:urlshortener:problem:idempotency-key-reused");
        }

        var ownerB = await CreateUntilAnsweredAsync(app.ClientWith(Keys.OwnerB), key, new { url = "https://example.com/first" });
        Assert.Equal(HttpStatusCode.Created, ownerB.Status);
        Assert.False(ownerB.Replayed);
        Assert.NotEqual(first.Link.Code, ownerB.Link.Code);
    }

    [Fact]
    public async Task A_refusal_is_kept_too_and_given_again_but_a_malformed_key_is_a_400()
    {
        var app = apps.Start(backend);
        var client = app.Client();
        var alias = "taken-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateLinkAsync(new { url = "https://example.com/owner", alias });

        var key = Guid.NewGuid().ToString();
        for (var i = 0; i < 2; i++)
        {
            using var response = await Post(client, key, new { url = "https://example.com/wants-alias", alias });
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict, "urn:urlshortener:problem:alias-taken");
            Assert.Equal(i == 1, response.Headers.Contains("Idempotent-Replayed"));
        }

        using var malformed = await Post(client, "\"unterminated", new { url = "https://example.com/malformed" });
        var problem = await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest, "urn:urlshortener:problem:invalid-request");
        Assert.Contains("Idempotency-Key", problem.GetRawText(), StringComparison.Ordinal);
    }

    private protected static Task<HttpResponseMessage> Post(HttpClient client, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/links") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>Sends the create, and again after Retry-After while the key's first request is running (409).</summary>
    private protected static async Task<Answer> CreateUntilAnsweredAsync(HttpClient client, string key, object body)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await Post(client, key, body);
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 30
                && (await response.Content.ReadAsStringAsync()).Contains("idempotency-key-in-use", StringComparison.Ordinal))
            {
                Assert.NotNull(response.Headers.RetryAfter?.Delta);
                await Task.Delay(response.Headers.RetryAfter!.Delta!.Value / 10);
                continue;
            }

            var link = response.StatusCode == HttpStatusCode.Created ? (await response.Content.ReadFromJsonAsync<LinkJson>())! : null!;
            return new Answer(response.StatusCode, link, response.Headers.Location?.OriginalString, response.Headers.Contains("Idempotent-Replayed"));
        }
    }

    private protected sealed record Answer(HttpStatusCode Status, LinkJson Link, string? Location, bool Replayed);
}

public abstract class IdempotencyInProcessTests<TStarter>(TStarter apps, Backend backend) : IdempotencyTests<TStarter>(apps, backend)
    where TStarter : AppStarter
{
    [Fact]
    public async Task A_replay_after_a_restart_gives_the_first_answer_again()
    {
        var shared = Directory.CreateTempSubdirectory("urlshortener-idempotency-").FullName;
        var database = "test-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var key = Guid.NewGuid().ToString();
            string firstBody;
            string? firstLocation;
            using (var first = (ShortenerApp)Apps.Start(Backend, shared, database))
            {
                using var response = await Post(first.Client(), key, new { url = "https://example.com/before-restart" });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                firstBody = await response.Content.ReadAsStringAsync();
                firstLocation = response.Headers.Location?.OriginalString;
            }

            var second = Apps.Start(Backend, shared, database);
            using var replay = await Post(second.Client(), key, new { url = "https://example.com/before-restart" });
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
            Assert.Equal(firstLocation, replay.Headers.Location?.OriginalString);
            Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
            Assert.Equal("application/json; charset=utf-8", replay.Content.Headers.ContentType?.ToString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_request_while_the_first_is_still_running_answers_409_with_retry_after()
    {
        var gate = new TaskCompletionSource();
        using var app = new ShortenerApp
        {
            Backend = Backend,
            ConfigureServices = services => GatedLinkStore.Install(services, gate.Task),
        };
        var client = app.Client();
        var key = Guid.NewGuid().ToString();
        var first = Post(client, key, new { url = "https://example.com/slow" });
        await GatedLinkStore.WaitUntilHeldAsync(app);

        using (var second = await Post(client, key, new { url = "https://example.com/slow" }))
        {
            await ProblemAssert.IsProblemAsync(second, HttpStatusCode.Conflict, "urn:urlshortener:problem:idempotency-key-in-use");
            Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        }

        gate.SetResult();
        using var firstAnswer = await first;
        Assert.Equal(HttpStatusCode.Created, firstAnswer.StatusCode);
        using var third = await Post(client, key, new { url = "https://example.com/slow" });
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        Assert.True(third.Headers.Contains("Idempotent-Replayed"));
    }
}

public sealed class IdempotencyOnEmbeddedTests(InProcessAppStarter apps) : IdempotencyInProcessTests<InProcessAppStarter>(apps, Backend.Embedded);

public sealed class IdempotencyOnCosmosRedisTests(InProcessAppStarter apps) : IdempotencyInProcessTests<InProcessAppStarter>(apps, Backend.CosmosRedis);

public sealed class IdempotencyOnFunctionsWorkerTests(WorkerAppStarter apps) : IdempotencyTests<WorkerAppStarter>(apps, Backend.Embedded);
