using Microsoft.Net.Http.Headers;
using UrlShortener.Web.Endpoints;

namespace UrlShortener.Web.Dashboard;

/// <summary>
/// <c>GET|HEAD /dashboard/{*path}</c>: the dashboard's static files, with no server-side state: the page calls
/// the public API with the key the user pasted. Every answer carries a strict Content-Security-Policy (no inline
/// script or style, nothing from another origin, Trusted Types so that no string becomes HTML, no framing).
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard/";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    public static RouteHandlerBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var files = app.ServiceProvider.GetRequiredService<DashboardFiles>();
        return app.MapMethods("/dashboard/{*path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string? path) => Serve(context, files, path))
            .WithName("dashboard")
            .AllowAnonymous()
            .ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext context, DashboardFiles files, string? path)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

        // Relative links in the page need the trailing slash.
        if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
        {
            return Results.Redirect(Path, permanent: true, preserveMethod: true);
        }

        if (files.Find(string.IsNullOrEmpty(path) ? "index.html" : path) is not { } file)
        {
            return Problems.NotFound("The dashboard has no such file.");
        }

        headers.CacheControl = file.Immutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = file.ETag;
        headers.Vary = HeaderNames.AcceptEncoding;
        if (ConditionalRequests.NoneMatch(context.Request, file.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var (body, encoding) = Pick(context.Request, file);
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        return Results.Bytes(body, file.ContentType);
    }

    private static (byte[] Body, string? Encoding) Pick(HttpRequest request, DashboardFile file)
    {
        if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var accepted))
        {
            return (file.Content, null);
        }

        bool Accepts(string coding) => accepted.Any(a => a.Quality is not 0 && (a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || a.Value == "*"));
        if (file.Brotli is { } brotli && brotli.Length < file.Content.Length && Accepts("br"))
        {
            return (brotli, "br");
        }

        return file.Gzip is { } gzip && gzip.Length < file.Content.Length && Accepts("gzip") ? (gzip, "gzip") : (file.Content, null);
    }
}
