using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CsCheck;
using UrlShortener.Web.Dashboard;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary><c>/dashboard/</c> over HTTP, through either host: the files, their security headers and caching.</summary>
public abstract partial class DashboardFilesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.ClientWith(null);

    [Fact]
    public async Task The_page_is_served_with_a_strict_policy_and_no_script_or_style_inline()
    {
        using var response = await _client.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("//cdn", html);
    }

    [Fact]
    public async Task Every_file_the_page_names_is_served_from_this_origin()
    {
        var html = await _client.GetStringAsync("/dashboard/");
        var references = Reference().Matches(html).Select(m => m.Groups["path"].Value).ToList();

        Assert.Contains(references, r => r.StartsWith("vendor/uplot-", StringComparison.Ordinal) && r.EndsWith(".js", StringComparison.Ordinal));
        foreach (var reference in references)
        {
            Assert.DoesNotContain("//", reference);
            using var file = await _client.GetAsync("/dashboard/" + reference);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{reference}: {(int)file.StatusCode}");
            Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Fact]
    public async Task The_bare_path_redirects_to_the_folder()
    {
        using var response = await _client.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_unknown_file_is_a_404_problem_and_no_path_escapes_the_folder()
    {
        foreach (var path in new[] { "/dashboard/nope.js", "/dashboard/..%2Fappsettings.json", "/dashboard/vendor/", "/dashboard/vendor/%2E%2E%2Fapp.js" })
        {
            using var response = await _client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{path}: {response.Content.Headers.ContentType}");
        }
    }

    [Fact]
    public async Task Any_path_under_the_folder_answers_a_file_or_a_404_problem_and_never_more()
    {
        // No empty segment ('//'): the Functions host's route templates do not match one, so it answers its own bare
        // 404 before the worker sees the request (the fake host matches as the host does).
        // Path segments of letters, dots, encoded slashes and dots, odd characters and non-ASCII, as a hostile client sends them.
        var segment = Gen.OneOf(
            Gen.Const("app.js"), Gen.Const(".."), Gen.Const("%2e%2e"), Gen.Const("%2F"), Gen.Const("vendor"), Gen.Const("uplot-1.6.32"),
            Gen.String[Gen.Char["abcXYZ019.-_~%;:@!$&'()*+,="], 1, 12],
            Gen.String[Gen.Char['\u00a0', '\u30ff'], 1, 4].Select(Uri.EscapeDataString));
        // A raw '..' that climbs out of the folder is resolved by the client (as by a browser): those paths leave the dashboard.
        var paths = segment.Array[1, 6].Select(parts => "/dashboard/" + string.Join('/', parts))
            .Where(path => new Uri(new Uri("http://localhost"), path).AbsolutePath.StartsWith("/dashboard/", StringComparison.Ordinal));
        await paths.SampleAsync(async path =>
        {
            using var response = await _client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {path}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }, iter: 300);
    }

    [Fact]
    public async Task Files_revalidate_by_etag_and_the_versioned_library_is_immutable()
    {
        using var first = await _client.GetAsync("/dashboard/app.js");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        var html = await _client.GetStringAsync("/dashboard/");
        var library = Reference().Matches(html).Select(m => m.Groups["path"].Value).First(r => r.StartsWith("vendor/", StringComparison.Ordinal));
        using var vendored = await _client.GetAsync("/dashboard/" + library);
        Assert.True(vendored.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(365));
    }

    [Fact]
    public async Task Text_files_come_compressed_when_the_client_accepts_it()
    {
        using var plain = await _client.GetAsync("/dashboard/app.js");
        var original = await plain.Content.ReadAsByteArrayAsync();

        foreach (var (coding, decompress) in new (string, Func<Stream, Stream>)[]
        {
            ("br", s => new BrotliStream(s, CompressionMode.Decompress)),
            ("gzip", s => new GZipStream(s, CompressionMode.Decompress)),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/app.js");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(coding));
            using var response = await _client.SendAsync(request);
            Assert.Equal(coding, response.Content.Headers.ContentEncoding.Single());
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(body.Length < original.Length / 2, $"{coding}: {body.Length} of {original.Length} bytes");
            using var decompressed = new MemoryStream();
            await using (var reader = decompress(new MemoryStream(body)))
            {
                await reader.CopyToAsync(decompressed);
            }

            Assert.Equal(original, decompressed.ToArray());
        }
    }

    [Fact]
    public async Task Head_answers_the_headers_without_a_body()
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/dashboard/app.css"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_api_key_route_says_who_a_key_is_and_refuses_none_or_a_wrong_one()
    {
        using var readOnly = app.ClientWith(Keys.OwnerAReadOnly);
        using var response = await readOnly.GetAsync("/api/key");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var key = await response.Content.ReadFromJsonAsync<KeyJson>();
        Assert.Equal("owner-a", key!.Owner);
        Assert.Equal(["links:read"], key.Scopes);
        Assert.DoesNotContain(Keys.OwnerAReadOnly.Secret, await response.Content.ReadAsStringAsync());

        var full = await app.Client().GetFromJsonAsync<KeyJson>("/api/key");
        Assert.Equal(["links:write", "links:read", "stats:read"], full!.Scopes);

        using var none = await _client.GetAsync("/api/key");
        await ProblemAssert.IsProblemAsync(none, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:unauthorized");
        using var wrong = app.ClientWith(new TestKey("nobody", "not-a-key-of-this-app", "links:read"));
        using var refused = await wrong.GetAsync("/api/key");
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized, "urn:urlshortener:problem:unauthorized");
    }

    public sealed record KeyJson(string Owner, IReadOnlyList<string> Scopes);

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"(?:src|href)=""(?<path>[^""#][^""]*)""")]
    private static partial Regex Reference();
}

public sealed class DashboardFilesOnEmbeddedTests(ShortenerApp app) : DashboardFilesTests<ShortenerApp>(app);

public sealed class DashboardFilesOnFunctionsWorkerTests(WorkerApp app) : DashboardFilesTests<WorkerApp>(app);
