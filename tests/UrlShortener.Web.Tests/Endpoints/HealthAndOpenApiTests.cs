using System.Net;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

public abstract class HealthAndOpenApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.ClientWith(null);

    [Fact]
    public async Task Liveness_answers_healthy_without_a_key()
    {
        using var response = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_checks_every_configured_backend()
    {
        using var response = await _client.GetAsync("/readyz");
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Without Service Bus the click queue is the embedded one, whatever holds the links.
        string[] expected = app.Backend == Backend.Embedded ? ["embedded-store"] : ["cosmos", "redis", "embedded-store"];
        Assert.Equal(expected.Order(), checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(expected, name => Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route_of_the_contract()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(paths.GetProperty("/{code}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/{code}").TryGetProperty("head", out _));
        foreach (var method in new[] { "get", "post" })
        {
            Assert.True(paths.GetProperty("/api/links").TryGetProperty(method, out _), method);
        }

        foreach (var method in new[] { "get", "patch", "delete" })
        {
            Assert.True(paths.GetProperty("/api/links/{code}").TryGetProperty(method, out _), method);
        }

        var create = paths.GetProperty("/api/links").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
    }

}


/// <summary>
/// Answers of the standalone app's own routing. Under the Functions host, the host itself answers a path or a
/// method no function declares (404, no body), before the worker sees the request.
/// </summary>
public abstract class HealthAndOpenApiInProcessTests<TApp>(TApp app) : HealthAndOpenApiTests<TApp>(app)
    where TApp : ShortenerApp, new()
{
    private readonly HttpClient _client = app.ClientWith(null);
    private readonly HttpClient _owner = app.Client();

    [Theory]
    [InlineData("/api/nothing")]
    [InlineData("/a/b/c")]
    public async Task An_unknown_route_answers_a_404_problem(string path)
    {
        using var response = await _client.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "urn:urlshortener:problem:not-found");
    }

    [Fact]
    public async Task A_wrong_method_answers_a_405_problem()
    {
        using var response = await _owner.PutAsync("/api/links", new StringContent("{}"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed, "urn:urlshortener:problem:method-not-allowed");
    }
}

public sealed class HealthAndOpenApiOnEmbeddedTests(ShortenerApp app) : HealthAndOpenApiInProcessTests<ShortenerApp>(app);

public sealed class HealthAndOpenApiOnCosmosRedisTests(CosmosRedisApp app) : HealthAndOpenApiInProcessTests<CosmosRedisApp>(app);

public sealed class HealthAndOpenApiOnFunctionsWorkerTests(WorkerApp app) : HealthAndOpenApiTests<WorkerApp>(app);
