using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Auth;

public abstract class ApiKeyAuthenticationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    [Fact]
    public async Task No_key_answers_401_with_a_challenge()
    {
        using var response = await app.ClientWith(null).PostAsJsonAsync("/api/links", new { url = "https://example.com" });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:unauthorized");
        Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task An_unknown_key_answers_401()
    {
        var stranger = new TestKey("nobody", "not-a-configured-key", "links:read");
        using var response = await app.ClientWith(stranger).GetAsync("/api/links");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:unauthorized");
    }

    [Fact]
    public async Task A_key_without_links_write_answers_403_creating_and_stores_nothing()
    {
        var readOnly = app.ClientWith(Keys.OwnerAReadOnly);
        var before = (await readOnly.GetFromJsonAsync<LinkListJson>("/api/links?limit=100"))!.Items.Length;

        using var response = await readOnly.PostAsJsonAsync("/api/links", new { url = "https://example.com/forbidden" });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "urn:urlshortener:problem:forbidden");
        Assert.Equal(before, (await readOnly.GetFromJsonAsync<LinkListJson>("/api/links?limit=100"))!.Items.Length);
    }

    [Fact]
    public async Task Another_owner_gets_404_reading_changing_or_deleting_and_never_sees_the_link_listed()
    {
        var link = await app.ClientWith(Keys.OwnerA).CreateLinkAsync(new { url = "https://example.com/private" });
        var b = app.ClientWith(Keys.OwnerB);

        using var read = await b.GetAsync($"/api/links/{link.Code}");
        using var patch = await b.PatchAsJsonAsync($"/api/links/{link.Code}", new { url = "https://evil.example/" });
        using var delete = await b.DeleteAsync($"/api/links/{link.Code}");
        var listed = (await b.GetFromJsonAsync<LinkListJson>("/api/links?limit=100"))!;

        foreach (var response in new[] { read, patch, delete })
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
        }

        Assert.DoesNotContain(listed.Items, l => l.Code == link.Code);
        var unchanged = await app.ClientWith(Keys.OwnerA).GetFromJsonAsync<LinkJson>($"/api/links/{link.Code}");
        Assert.Equal("https://example.com/private", unchanged!.Url);
    }

    [Fact]
    public async Task A_read_only_key_of_the_same_owner_sees_its_links()
    {
        var link = await app.ClientWith(Keys.OwnerA).CreateLinkAsync(new { url = "https://example.com/shared" });

        var read = await app.ClientWith(Keys.OwnerAReadOnly).GetFromJsonAsync<LinkJson>($"/api/links/{link.Code}");

        Assert.Equal(link.Code, read!.Code);
    }

}


/// <summary>What needs the app in this process: its services, and an app started in Development.</summary>
public abstract class ApiKeyAuthenticationInProcessTests<TApp>(TApp app) : ApiKeyAuthenticationTests<TApp>(app)
    where TApp : ShortenerApp, new()
{
    private readonly TApp _app = app;

    [Fact]
    public async Task Only_the_api_authenticates_so_a_redirect_never_runs_the_key_handler()
    {
        var link = await _app.ClientWith(Keys.OwnerA).CreateLinkAsync(new { url = "https://example.com/anonymous" });

        // No default scheme: the authentication middleware has nothing to run for a redirect.
        var schemes = _app.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.Null(await schemes.GetDefaultAuthenticateSchemeAsync());
        using var redirect = await _app.ClientWith(new TestKey("nobody", "not-a-configured-key")).GetAsync($"/{link.Code}");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
    }

    [Fact]
    public async Task Development_without_keys_runs_open_as_one_local_owner()
    {
        using var open = new TApp { EnvironmentName = "Development" };
        var anyone = open.ClientWith(null);

        var link = await anyone.CreateLinkAsync(new { url = "https://example.com/local" });
        var listed = (await anyone.GetFromJsonAsync<LinkListJson>("/api/links"))!;

        Assert.Equal(link.Code, listed.Items.Single().Code);
    }
}

public sealed class ApiKeyAuthenticationOnEmbeddedTests(ShortenerApp app) : ApiKeyAuthenticationInProcessTests<ShortenerApp>(app);

public sealed class ApiKeyAuthenticationOnCosmosRedisTests(CosmosRedisApp app) : ApiKeyAuthenticationInProcessTests<CosmosRedisApp>(app);

public sealed class ApiKeyAuthenticationOnFunctionsWorkerTests(WorkerApp app) : ApiKeyAuthenticationTests<WorkerApp>(app);

