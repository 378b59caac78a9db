using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>Input a hostile client sends answers 4xx problem details, never 500.</summary>
public sealed class HostileInputTests(ShortenerApp app) : IClassFixture<ShortenerApp>
{
    private readonly HttpClient _client = app.Client();

    [Theory]
    [InlineData("to=9999-12-31T23:30:00Z", "to")]
    [InlineData("to=0001-01-01T00:30:00Z", "to")]
    [InlineData("to=0001-01-01&granularity=day", "to")]
    [InlineData("from=0001-01-01&granularity=day", "from")]
    public async Task Stats_dates_at_the_ends_of_the_calendar_answer_400_for_any_code(string query, string field)
    {
        using var response = await _client.GetAsync($"/api/links/anycode/stats?{query}");

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Theory]
    [InlineData("Em")]
    [InlineData("A")]
    [InlineData("ABCDE")]
    [InlineData("AB")]
    [InlineData("ABC")]
    public async Task A_malformed_cursor_answers_400(string cursor)
    {
        using var response = await _client.GetAsync($"/api/links?cursor={cursor}");

        await ProblemAssert.NamesFieldAsync(response, "cursor");
    }

    public static TheoryData<byte[]> UnreadableBodies => new()
    {
        Bytes("{\"url\":\"https://example.com/", [0xff], "\"}"),
        Bytes("{\"url\":\"https://example.com/\\ud800\"}"),
        Bytes("{\"url\":\"https://example.com/\\udc00x\"}"),
        Bytes("{\"ur", [0xc3, 0x28], "l\":\"https://example.com/\"}"),
        Bytes("{\"url\":\"https://example.com/\",\"tags\":[\"", [0xed, 0xa0, 0x80], "\"]}"),
    };

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task A_create_body_with_invalid_utf8_or_a_lone_surrogate_answers_400_and_stores_nothing(byte[] body)
    {
        using var response = await _client.PostAsync("/api/links", Json(body));

        await ProblemAssert.NamesFieldAsync(response, "body");
        var list = await _client.GetFromJsonAsync<LinkListJson>("/api/links?limit=100");
        Assert.All(list!.Items, link => Assert.Equal("https://example.com/kept", link.Url));
    }

    [Theory]
    [MemberData(nameof(UnreadableBodies))]
    public async Task A_patch_body_with_invalid_utf8_or_a_lone_surrogate_answers_400_and_changes_nothing(byte[] body)
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/kept" });

        using var response = await _client.PatchAsync($"/api/links/{link.Code}", Json(body));

        await ProblemAssert.NamesFieldAsync(response, "body");
        Assert.Equal("https://example.com/kept", (await _client.GetFromJsonAsync<LinkJson>($"/api/links/{link.Code}"))!.Url);
    }

    [Theory]
    [InlineData("http://localhost/loopb")]
    [InlineData("http://127.0.0.1/loopb")]
    [InlineData("http://[::1]/x")]
    [InlineData("http://localhost./x")]
    [InlineData("http://0x7f000001/x")]
    [InlineData("http://2130706433/x")]
    [InlineData("https://LOCALHOST:443/x")]
    public async Task A_destination_on_this_shortener_is_refused_in_every_spelling(string url)
    {
        using var response = await _client.PostAsJsonAsync("/api/links", new { url, alias = "loop-" + Guid.NewGuid().ToString("N")[..8] });

        await ProblemAssert.NamesFieldAsync(response, "url");
    }

    [Fact]
    public async Task Two_links_cannot_point_at_each_other()
    {
        using var first = await _client.PostAsJsonAsync("/api/links", new { url = "http://127.0.0.1/loopb", alias = "loopa" });
        using var second = await _client.PostAsJsonAsync("/api/links", new { url = "http://localhost/loopa", alias = "loopb" });

        await ProblemAssert.NamesFieldAsync(first, "url");
        await ProblemAssert.NamesFieldAsync(second, "url");
    }

    [Fact]
    public async Task A_spoofed_host_header_neither_lets_a_loop_in_nor_changes_the_short_url()
    {
        using var loop = new HttpRequestMessage(HttpMethod.Post, "/api/links") { Content = JsonContent.Create(new { url = "http://localhost/x" }) };
        loop.Headers.Host = "evil.example";
        using var refused = await _client.SendAsync(loop);
        using var valid = new HttpRequestMessage(HttpMethod.Post, "/api/links") { Content = JsonContent.Create(new { url = "https://example.com/fine" }) };
        valid.Headers.Host = "evil.example";
        using var created = await _client.SendAsync(valid);

        await ProblemAssert.NamesFieldAsync(refused, "url");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("http://localhost/", (await created.Content.ReadFromJsonAsync<LinkJson>())!.ShortUrl, StringComparison.Ordinal);
    }

    private static readonly string[] LinkFields = ["url", "alias", "expiresAt", "maxClicks", "redirectType", "fallbackUrl", "forwardQuery", "tags", "disabled", "code", "other"];

    private static readonly Gen<JsonNode?> AnyJsonValue = Gen.OneOf(
        Gen.Const<JsonNode?>(() => null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double.Where(double.IsFinite).Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.String.Select(t => (JsonNode?)JsonValue.Create(t)),
        Gen.OneOf(new[] { "https://example.com/a", "http://localhost/x", "2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z", "my-alias", "301" }).Select(t => (JsonNode?)JsonValue.Create(t)),
        Gen.Int[0, 400].Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.String.Array[0, 25].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))])));

    private static readonly Gen<string> AnyLinkBody = Gen.OneOf(
        Gen.Select(Gen.OneOf(LinkFields), AnyJsonValue).Array[0, 8].Select(fields =>
        {
            var body = new JsonObject();
            foreach (var (name, value) in fields)
            {
                body[name] = value;
            }

            return body.ToJsonString();
        }),
        Gen.String);

    [Fact]
    public async Task Any_create_body_answers_201_or_a_400_409_problem_and_never_more() =>
        await AnyLinkBody.SampleAsync(async body =>
        {
            using var response = await _client.PostAsync("/api/links", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{(int)response.StatusCode} for {body}");
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }, iter: 1_500);

    [Fact]
    public async Task Any_patch_body_answers_200_or_a_400_problem_and_never_more()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/patched-at-random" });
        await AnyLinkBody.SampleAsync(async body =>
        {
            using var response = await _client.PatchAsync($"/api/links/{link.Code}", new StringContent(body, Encoding.UTF8, "application/merge-patch+json"));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {body}");
        }, iter: 1_500);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static byte[] Bytes(string before, byte[]? raw = null, string after = "") =>
        [.. Encoding.ASCII.GetBytes(before), .. raw ?? [], .. Encoding.ASCII.GetBytes(after)];
}

/// <summary>What only a raw socket can send: a real Kestrel in front of the app.</summary>
public sealed class RawRequestTests : IDisposable
{
    private readonly TempDirectory _directory = new("raw");

    [Fact]
    public async Task A_control_character_in_a_forwarded_query_is_left_out_of_the_redirect()
    {
        await using var app = await AppProcess.StartBuiltAsync(_directory.File("links.db"), new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var link = await app.Client.CreateLinkAsync(new { url = "https://example.com/landing?a=1", forwardQuery = true });

        foreach (var bad in new[] { "\r", "\u0001", "\u007f" })
        {
            var answer = await SendRawAsync(app.Address, $"GET /{link.Code}?x=a{bad}b&utm_source=mail HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

            var statusLine = answer[..answer.IndexOf('\r')];
            Assert.True(statusLine is "HTTP/1.1 302 Found" or "HTTP/1.1 400 Bad Request", $"{(int)bad[0]:x2}: {answer}");
            if (statusLine.Contains("302", StringComparison.Ordinal))
            {
                Assert.Contains("\r\nLocation: https://example.com/landing?a=1&utm_source=mail\r\n", answer, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task In_development_a_spoofed_host_does_not_hide_the_address_the_app_listens_on()
    {
        await using var app = await AppProcess.StartBuiltAsync(_directory.File("links.db"), new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/links") { Content = JsonContent.Create(new { url = $"http://localhost:{app.Address.Port}/x" }) };
        request.Headers.Host = "evil.example";

        using var response = await app.Client.SendAsync(request);

        await ProblemAssert.NamesFieldAsync(response, "url");
    }

    private static async Task<string> SendRawAsync(Uri address, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _directory.Dispose();
}
