using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>
/// Password-protected links, through either host: no redirect without the password, a form for a browser and a
/// header for an API client, an unlock cookie good for that link only, and the hash never in an answer.
/// </summary>
public abstract class PasswordLinkTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    protected const string Password = "open sesame";
    protected const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    private readonly HttpClient _client = app.Client();

    protected TApp App => app;

    [Fact]
    public async Task The_link_says_it_is_protected_and_no_answer_carries_the_hash()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/protected", password = Password, tags = new[] { "pw" } });
        Assert.True(link.PasswordProtected);

        var answers = new List<string>
        {
            await _client.GetStringAsync($"/api/links/{link.Code}"),
            await _client.GetStringAsync("/api/links?tag=pw"),
        };
        using var patched = await _client.PatchAsJsonAsync($"/api/links/{link.Code}", new { title = "still protected" });
        answers.Add(await patched.Content.ReadAsStringAsync());
        foreach (var answer in answers)
        {
            Assert.DoesNotContain("pbkdf2", answer, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, answer, StringComparison.Ordinal);
            Assert.DoesNotContain("passwordHash", answer, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(JsonDocument.Parse(answers[2]).RootElement.GetProperty("passwordProtected").GetBoolean());
        var plain = await _client.CreateLinkAsync(new { url = "https://example.com/open" });
        Assert.False(plain.PasswordProtected);
    }

    [Fact]
    public async Task Without_the_password_a_browser_gets_the_form_and_an_api_client_a_problem_and_neither_a_location()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/form", password = Password, redirectType = 301 });

        using var page = await Visit(link.Code, accept: BrowserAccept);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Null(page.Headers.Location);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"password\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(page.Headers.CacheControl?.NoStore);
        Assert.NotEmpty(page.Headers.WwwAuthenticate);

        using var api = await Visit(link.Code);
        await ProblemAssert.IsProblemAsync(api, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:password-required");
        Assert.Null(api.Headers.Location);

        using var head = await app.ClientWith(null).SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{link.Code}"));
        Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        Assert.Null(head.Headers.Location);
    }

    [Fact]
    public async Task The_right_password_in_the_form_redirects_and_sets_a_cookie_that_unlocks_only_that_link()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/unlocked?a=1", password = Password, redirectType = 308 });
        var other = await _client.CreateLinkAsync(new { url = "https://example.com/other", password = Password });

        using var wrong = await Submit(link.Code, "not it");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong password", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        using var right = await Submit(link.Code, Password);
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        Assert.Equal("https://example.com/unlocked?a=1", right.Headers.Location?.OriginalString);
        var setCookie = right.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains($"path=/{link.Code}", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];

        // A protected link's redirect is never permanent: a browser would follow a kept 308 without asking again.
        using var again = await Visit(link.Code, cookie: cookie);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, again.StatusCode);
        Assert.Equal("https://example.com/unlocked?a=1", again.Headers.Location?.OriginalString);
        Assert.True(again.Headers.CacheControl?.NoStore);

        using var elsewhere = await Visit(other.Code, cookie: cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        using var forged = await Visit(link.Code, cookie: cookie[..^2] + (cookie[^2..] == "00" ? "11" : "00"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task An_api_client_sends_the_password_in_a_header()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/header", password = Password });

        using var right = await Visit(link.Code, password: Password);
        Assert.Equal(HttpStatusCode.Found, right.StatusCode);
        Assert.Equal("https://example.com/header", right.Headers.Location?.OriginalString);

        using var wrong = await Visit(link.Code, password: "guess");
        await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:wrong-password");
        Assert.Null(wrong.Headers.Location);
    }

    [Fact]
    public async Task A_new_password_ends_the_old_cookies_and_taking_it_off_opens_the_link()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/rotate", password = Password });
        using var unlocked = await Submit(link.Code, Password);
        var cookie = unlocked.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var changed = await _client.PatchAsJsonAsync($"/api/links/{link.Code}", new { password = "a new one" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var stale = await Visit(link.Code, cookie: cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        using var oldPassword = await Visit(link.Code, password: Password);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        using var newPassword = await Visit(link.Code, password: "a new one");
        Assert.Equal(HttpStatusCode.Found, newPassword.StatusCode);

        using var opened = await _client.PatchAsJsonAsync($"/api/links/{link.Code}", new { password = (string?)null });
        Assert.False((await opened.Content.ReadFromJsonAsync<LinkJson>())!.PasswordProtected);
        using var open = await Visit(link.Code);
        Assert.Equal(HttpStatusCode.Found, open.StatusCode);
    }

    [Fact]
    public async Task Attempts_per_link_and_client_are_limited_and_another_client_is_not()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/brute", password = Password });

        HttpResponseMessage? refused = null;
        for (var attempt = 0; attempt < 11 && refused is null; attempt++)
        {
            var answer = await Submit(link.Code, $"guess {attempt}", from: "198.51.100.7");
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = answer;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
                answer.Dispose();
            }
        }

        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        refused.Dispose();

        // Even the right password waits: the limit is on attempts, not on failures.
        using var stillRefused = await Visit(link.Code, password: Password, from: "198.51.100.7");
        await ProblemAssert.IsProblemAsync(stillRefused, HttpStatusCode.TooManyRequests, "urn:urlshortener:problem:too-many-password-attempts");
        using var another = await Submit(link.Code, Password, from: "198.51.100.8");
        Assert.Equal(HttpStatusCode.SeeOther, another.StatusCode);
    }

    [Fact]
    public async Task A_bad_password_on_create_or_patch_names_the_field_and_stores_nothing()
    {
        foreach (var password in new object[] { string.Empty, new string('x', 257), 42, true })
        {
            using var response = await _client.PostAsJsonAsync("/api/links", new { url = "https://example.com/bad-pw", password });
            await ProblemAssert.NamesFieldAsync(response, "password");
        }

        var link = await _client.CreateLinkAsync(new { url = "https://example.com/patch-pw" });
        using var patch = await _client.PatchAsJsonAsync($"/api/links/{link.Code}", new { password = string.Empty, maxClicks = -1 });
        await ProblemAssert.NamesFieldAsync(patch, "password");
        await ProblemAssert.NamesFieldAsync(patch, "maxClicks");
        using var open = await Visit(link.Code);
        Assert.Equal(HttpStatusCode.Found, open.StatusCode);
    }

    [Fact]
    public async Task A_bulk_create_refuses_a_password_for_that_item_alone()
    {
        using var response = await _client.PostAsJsonAsync("/api/links/bulk", new
        {
            links = new object[] { new { url = "https://example.com/bulk-a" }, new { url = "https://example.com/bulk-b", password = Password } },
        });
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");

        Assert.Equal(JsonValueKind.String, items[0].GetProperty("link").GetProperty("code").ValueKind);
        Assert.True(items[1].GetProperty("problem").GetProperty("errors").TryGetProperty("password", out _));
    }

    [Theory]
    [InlineData("text/plain", "password=x")]
    [InlineData("application/json", "{\"password\":\"x\"}")]
    public async Task The_form_must_be_a_form(string mediaType, string body)
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/not-a-form", password = Password });
        using var content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);

        using var response = await app.ClientWith(null).PostAsync($"/{link.Code}", content);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "urn:urlshortener:problem:unsupported-media-type");
    }

    [Fact]
    public async Task A_form_without_a_password_or_far_too_big_is_a_400_and_unknown_codes_a_404()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/form-shape", password = Password });

        using var empty = await app.ClientWith(null).PostAsync($"/{link.Code}", new FormUrlEncodedContent([]));
        await ProblemAssert.NamesFieldAsync(empty, "password");
        using var huge = await app.ClientWith(null).PostAsync($"/{link.Code}", new FormUrlEncodedContent([new("password", new string('x', 100_000))]));
        await ProblemAssert.NamesFieldAsync(huge, "password");
        using var unknown = await app.ClientWith(null).PostAsync("/Unknwn9", new FormUrlEncodedContent([new("password", "x")]));
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
    }

    protected async Task<HttpResponseMessage> Visit(string code, string? accept = null, string? cookie = null, string? password = null, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{code}");
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (password is not null)
        {
            request.Headers.Add("Link-Password", password);
        }

        if (from is not null)
        {
            request.Headers.Add("X-Forwarded-For", from);
        }

        return await app.ClientWith(null).SendAsync(request);
    }

    protected async Task<HttpResponseMessage> Submit(string code, string password, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{code}") { Content = new FormUrlEncodedContent([new("password", password)]) };
        request.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        if (from is not null)
        {
            request.Headers.Add("X-Forwarded-For", from);
        }

        return await app.ClientWith(null).SendAsync(request);
    }
}

public sealed class PasswordLinkOnEmbeddedTests(ShortenerApp app) : PasswordLinkTests<ShortenerApp>(app)
{
    [Fact]
    public async Task The_cookie_unlocks_only_until_it_expires()
    {
        var link = await App.Client().CreateLinkAsync(new { url = "https://example.com/expiring", password = Password });
        using var unlocked = await Submit(link.Code, Password);
        var cookie = unlocked.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        App.Clock.Advance(TimeSpan.FromMinutes(29));
        using var within = await Visit(link.Code, cookie: cookie);
        Assert.Equal(HttpStatusCode.Found, within.StatusCode);

        App.Clock.Advance(TimeSpan.FromMinutes(2));
        using var after = await Visit(link.Code, cookie: cookie, accept: BrowserAccept);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}

public sealed class PasswordLinkOnCosmosRedisTests(CosmosRedisApp app) : PasswordLinkTests<CosmosRedisApp>(app)
{
    [Fact]
    public async Task The_hash_is_never_in_the_redis_cache_and_a_cached_link_still_asks()
    {
        var link = await App.Client().CreateLinkAsync(new { url = "https://example.com/cached", password = Password });
        for (var i = 0; i < 3; i++)
        {
            using var locked = await Visit(link.Code);
            Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        }

        var redis = await RedisServer.Shared;
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var values = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: App.CosmosDatabaseName + ":*"))
        {
            if (await connection.GetDatabase().KeyTypeAsync(key) == RedisType.String)
            {
                values.Add((await connection.GetDatabase().StringGetAsync(key)).ToString());
            }
        }

        Assert.Contains(values, v => v.Contains(link.Code, StringComparison.Ordinal) && v.Contains("passwordStamp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(values, v => v.Contains("pbkdf2", StringComparison.Ordinal));
    }
}

public sealed class PasswordLinkOnFunctionsWorkerTests(WorkerApp app) : PasswordLinkTests<WorkerApp>(app);

/// <summary>Clicks count once the link is unlocked, never for the form.</summary>
public sealed class PasswordLinkClickTests
{
    [Fact]
    public async Task Only_unlocked_visits_count()
    {
        using var app = new ShortenerApp { Settings = ClickStatsTests<ShortenerApp>.FastPipeline };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/counted", password = "pw" });
        var visitor = app.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd(ClickStatsTests<ShortenerApp>.Chrome);
        visitor.DefaultRequestHeaders.TryAddWithoutValidation("Accept", "text/html");

        for (var i = 0; i < 3; i++)
        {
            (await visitor.GetAsync($"/{link.Code}")).Dispose();
        }

        (await visitor.PostAsync($"/{link.Code}", new FormUrlEncodedContent([new("password", "wrong")]))).Dispose();
        using var right = await visitor.PostAsync($"/{link.Code}", new FormUrlEncodedContent([new("password", "pw")]));
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        var cookie = right.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{link.Code}") { Headers = { { "Cookie", cookie } } };
            using var visit = await visitor.SendAsync(request);
            Assert.Equal(HttpStatusCode.Found, visit.StatusCode);
        }

        // The form's unlocking post and the two visits with the cookie; the three asks and the wrong password are none.
        await ClickStatsTests<ShortenerApp>.WaitForStatsAsync(app, link.Code, string.Empty, s => s.Total + s.BotClicks >= 3);
        await Task.Delay(300);
        var stats = (await app.Client().GetFromJsonAsync<StatsJson>($"/api/links/{link.Code}/stats"))!;
        Assert.Equal(3, stats.Total);
        Assert.Equal(0, stats.BotClicks);
    }
}
