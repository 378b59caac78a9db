using System.Collections;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using UrlShortener.Core.Links;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary>
/// <c>GET /api/links/{code}/qr</c>: the link's QR code, as PNG or SVG (QRCoder). It encodes the short URL with
/// <c>?qr=1</c>, which the redirect takes out and counts as a scan.
/// </summary>
public static class QrCodeEndpoints
{
    public const int MinSize = 64;
    public const int MaxSize = 4096;
    public const int DefaultSize = 512;
    public const int MaxMargin = 16;
    public const int DefaultMargin = 4;

    // QRCoder's module matrix holds the standard quiet zone of 4 modules on each side.
    private const int QrCoderQuietZone = 4;

    public static RouteHandlerBuilder MapQrCodes(this RouteGroupBuilder links) =>
        links.MapGet("/{code}/qr", GetAsync)
            .WithName("getLinkQrCode")
            .RequireAuthorization(Scopes.LinksRead)
            .WithMetadata(ApiRateLimit.Reads)
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/svg+xml"])
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The link's QR code as PNG or SVG; it encodes the short URL with ?qr=1, so that scans count apart from clicks.");

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetAsync(
        string code,
        string? format,
        string? size,
        string? margin,
        string? ecc,
        HttpRequest request,
        ClaimsPrincipal user,
        LinkService links,
        ShortUrls shortUrls,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (format is not (null or "png" or "svg"))
        {
            errors.Add("format", "must be png or svg.");
        }

        var svg = format == "svg";
        var pixels = Whole(size, "size", DefaultSize, MinSize, MaxSize, errors);
        var quietZone = Whole(margin, "margin", DefaultMargin, 0, MaxMargin, errors);
        if (ecc is not (null or "L" or "M" or "Q" or "H"))
        {
            errors.Add("ecc", "must be L, M, Q or H (how much of the code may be damaged: 7, 15, 25 or 30 %).");
        }

        var level = ecc switch
        {
            "L" => QRCodeGenerator.ECCLevel.L,
            "Q" => QRCodeGenerator.ECCLevel.Q,
            "H" => QRCodeGenerator.ECCLevel.H,
            _ => QRCodeGenerator.ECCLevel.M,
        };
        if (!errors.IsEmpty)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        if (await links.GetAsync(user.Owner(), code, cancellationToken) is null)
        {
            return Problems.LinkNotFound(code);
        }

        var content = ScanUrl(shortUrls.For(request, code));
        var etag = ETag(content, svg, pixels, quietZone, level);
        var response = request.HttpContext.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "private, max-age=86400";
        if (ConditionalRequests.NoneMatch(request, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        using var generator = new QRCodeGenerator();
        using var drawn = generator.CreateQrCode(content, level);
        using var data = WithQuietZone(drawn, quietZone);
        var modules = data.ModuleMatrix.Count;
        var pixelsPerModule = Math.Max(1, pixels / modules);
        return svg
            ? TypedResults.File(Encoding.UTF8.GetBytes(new SvgQRCode(data).GetGraphic(pixelsPerModule, "#000000", "#ffffff", drawQuietZones: true)), "image/svg+xml", $"{code}-qr.svg")
            : TypedResults.File(new PngByteQRCode(data).GetGraphic(pixelsPerModule, drawQuietZones: true), "image/png", $"{code}-qr.png");
    }

    /// <summary>What the code encodes: the short URL with the scan marker.</summary>
    public static string ScanUrl(string shortUrl) => shortUrl + "?" + QrScan.Marker;

    // The same code drawn with a quiet zone of its own width (the standard asks for 4 modules).
    private static QRCodeData WithQuietZone(QRCodeData drawn, int quietZone)
    {
        var matrix = drawn.ModuleMatrix;
        var core = matrix.Count - (2 * QrCoderQuietZone);
        var side = core + (2 * quietZone);
        var rows = new List<BitArray>(side);
        for (var y = 0; y < side; y++)
        {
            var row = new BitArray(side);
            var source = y - quietZone + QrCoderQuietZone;
            if (y >= quietZone && y < quietZone + core)
            {
                for (var x = 0; x < core; x++)
                {
                    row[x + quietZone] = matrix[source][x + QrCoderQuietZone];
                }
            }

            rows.Add(row);
        }

        return new QRCodeData(drawn.Version, addPadding: false) { ModuleMatrix = rows };
    }

    private static string ETag(string content, bool svg, int pixels, int quietZone, QRCodeGenerator.ECCLevel level)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{content}\n{(svg ? "svg" : "png")}\n{pixels}\n{quietZone}\n{level}")));
        return "\"" + Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
    }

    private static int Whole(string? text, string field, int fallback, int min, int max, ValidationErrors errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(field, $"must be a whole number from {min} to {max}.");
        return fallback;
    }
}
