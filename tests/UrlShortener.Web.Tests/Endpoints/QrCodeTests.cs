using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using UrlShortener.Web.Tests.Clicks;
using UrlShortener.Web.Tests.Infrastructure;
using ZXing;
using ZXing.Common;

namespace UrlShortener.Web.Tests.Endpoints;

/// <summary>
/// <c>GET /api/links/{code}/qr</c>, through either host. The codes are read back with ZXing.Net (the PNG decoded to
/// pixels by ImageSharp, the SVG's modules drawn from its path), as a phone's scanner would read them.
/// </summary>
public abstract partial class QrCodeTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : class, IAppUnderTest
{
    private readonly HttpClient _client = app.Client();

    [Fact]
    public async Task The_png_and_the_svg_read_back_as_the_short_url_with_the_scan_marker()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/qr" });

        using var png = await _client.GetAsync($"/api/links/{link.Code}/qr?size=300&ecc=H");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(link.ShortUrl + "?qr=1", ReadPng(await png.Content.ReadAsByteArrayAsync()));

        using var svg = await _client.GetAsync($"/api/links/{link.Code}/qr?format=svg&margin=2");
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
        Assert.Equal(link.ShortUrl + "?qr=1", ReadSvg(await svg.Content.ReadAsStringAsync(), margin: 2));
    }

    [Fact]
    public async Task The_image_is_cacheable_by_its_etag()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/qr-etag" });
        using var first = await _client.GetAsync($"/api/links/{link.Code}/qr");
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/links/{link.Code}/qr");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        using var bigger = await _client.GetAsync($"/api/links/{link.Code}/qr?size=1024");
        Assert.NotEqual(etag, bigger.Headers.ETag);
        Assert.True(bigger.Content.Headers.ContentLength > first.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("format=gif", "format")]
    [InlineData("size=10", "size")]
    [InlineData("size=99999", "size")]
    [InlineData("size=abc", "size")]
    [InlineData("margin=-1", "margin")]
    [InlineData("margin=17", "margin")]
    [InlineData("ecc=X", "ecc")]
    public async Task Parameters_out_of_range_are_a_400_naming_them(string query, string field)
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/qr-bad" });
        using var response = await _client.GetAsync($"/api/links/{link.Code}/qr?{query}");
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Another_owners_link_has_no_qr_code_for_you()
    {
        var link = await app.ClientWith(Keys.OwnerB).CreateLinkAsync(new { url = "https://example.com/qr-b" });
        using var response = await _client.GetAsync($"/api/links/{link.Code}/qr");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
    }

    [Fact]
    public async Task A_scan_redirects_like_a_click_and_the_marker_never_reaches_the_destination()
    {
        var link = await _client.CreateLinkAsync(new { url = "https://example.com/qr-dest?a=1", forwardQuery = true });
        using var scan = await app.ClientWith(null).GetAsync($"/{link.Code}?qr=1");
        Assert.Equal(HttpStatusCode.Found, scan.StatusCode);
        Assert.Equal("https://example.com/qr-dest?a=1", scan.Headers.Location?.OriginalString);
        using var scanWithMore = await app.ClientWith(null).GetAsync($"/{link.Code}?qr=1&b=2");
        Assert.Equal("https://example.com/qr-dest?a=1&b=2", scanWithMore.Headers.Location?.OriginalString);
    }

    internal static string? ReadPng(byte[] png)
    {
        using var image = Image.Load<L8>(png);
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return Decode(new RGBLuminanceSource(pixels, image.Width, image.Height, RGBLuminanceSource.BitmapFormat.Gray8));
    }

    // The SVG draws dark modules as runs of a path in module units; drawn 8 pixels a module, it is read as an image.
    internal static string? ReadSvg(string svg, int margin)
    {
        var side = int.Parse(ViewBox().Match(svg).Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
        const int Scale = 8;
        var width = side * Scale;
        var pixels = Enumerable.Repeat((byte)255, width * width).ToArray();
        var runs = Run().Matches(svg);
        Assert.NotEmpty(runs);
        foreach (Match run in runs)
        {
            var (x, y, w) = (int.Parse(run.Groups["x"].Value), int.Parse(run.Groups["y"].Value), int.Parse(run.Groups["w"].Value));
            Assert.True(x >= margin && y >= margin && x + w <= side - margin && y < side - margin, "a dark module lies in the quiet zone");
            for (var py = y * Scale; py < (y + 1) * Scale; py++)
            {
                Array.Fill(pixels, (byte)0, (py * width) + (x * Scale), w * Scale);
            }
        }

        return Decode(new RGBLuminanceSource(pixels, width, width, RGBLuminanceSource.BitmapFormat.Gray8));
    }

    private static string? Decode(LuminanceSource source)
    {
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(source)?.Text;
    }

    [GeneratedRegex("viewBox=\"0 0 (?<n>[0-9]+) [0-9]+\"")]
    private static partial Regex ViewBox();

    [GeneratedRegex("M(?<x>[0-9]+) (?<y>[0-9]+)h(?<w>[0-9]+)v1h-[0-9]+z")]
    private static partial Regex Run();
}

public sealed class QrCodeOnEmbeddedTests(ShortenerApp app) : QrCodeTests<ShortenerApp>(app)
{
    [Fact]
    public async Task A_scan_counts_as_a_scan_apart_from_the_clicks()
    {
        using var counted = new ShortenerApp { Settings = ClickStatsTests<ShortenerApp>.FastPipeline };
        var link = await counted.Client().CreateLinkAsync(new { url = "https://example.com/scanned" });
        var phone = counted.ClientWith(null);
        phone.DefaultRequestHeaders.UserAgent.ParseAdd(ClickStatsTests<ShortenerApp>.IPhone);
        (await phone.GetAsync($"/{link.Code}?qr=1")).Dispose();
        (await phone.GetAsync($"/{link.Code}?qr=1")).Dispose();
        (await phone.GetAsync($"/{link.Code}")).Dispose();

        var stats = await ClickStatsTests<ShortenerApp>.WaitForStatsAsync(counted, link.Code, string.Empty, s => s.Total == 3);
        Assert.Equal(3, stats.Total);
        Assert.Equal(2, stats.QrScans);
        Assert.Equal([("qr", 2L), ("link", 1L)], stats.Sources!.Select(s => (s.Name, s.Clicks)));
    }
}

public sealed class QrCodeOnCosmosRedisTests(CosmosRedisApp app) : QrCodeTests<CosmosRedisApp>(app);

public sealed class QrCodeOnFunctionsWorkerTests(WorkerApp app) : QrCodeTests<WorkerApp>(app);
