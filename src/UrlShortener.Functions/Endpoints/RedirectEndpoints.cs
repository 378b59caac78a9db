using Microsoft.AspNetCore.Http.HttpResults;
using UrlShortener.Core.Links;
using UrlShortener.Functions.Caching;
using UrlShortener.Functions.Clicks;

namespace UrlShortener.Functions.Endpoints;

/// <summary><c>GET|HEAD /{code}</c>: the hot path every visitor takes.</summary>
public static class RedirectEndpoints
{
    // 301 and 308 may be cached, but briefly, so that a change or a delete still reaches browsers soon.
    private const string PermanentCacheControl = "private, max-age=90";
    private const string TemporaryCacheControl = "no-store";

    public static IEndpointConventionBuilder MapRedirects(this IEndpointRouteBuilder app) =>
        app.MapMethods("/{code}", [HttpMethods.Get, HttpMethods.Head], RedirectAsync)
            .WithTags("Redirect")
            .AllowAnonymous()
            // Answered by the routing middleware itself: no status-code pages (every answer here has
            // its body), no authentication or authorization (anonymous). The exception handler
            // still comes first, so a store outage is still a 503 problem.
            .ShortCircuit()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("Follow a short link: 302 (or the link's 301, 307, 308) with Location.");

    private static async ValueTask<Results<RedirectHttpResult, ProblemHttpResult>> RedirectAsync(
        string code, HttpContext context, LinkLookup lookup, TimeProvider clock, ClickCapture clicks)
    {
        if (!ShortCode.IsWellFormed(code))
        {
            return Problems.LinkNotFound(code);
        }

        var link = await lookup.FindAsync(code, context.RequestAborted);
        switch (RedirectPolicy.Decide(link, clock.GetUtcNow(), context.Request.QueryString.Value))
        {
            case RedirectDecision.Redirect redirect:
                var permanent = redirect.Status is RedirectType.MovedPermanently or RedirectType.PermanentRedirect;
                context.Response.Headers.CacheControl = permanent ? PermanentCacheControl : TemporaryCacheControl;
                if (redirect.CountsAsVisit)
                {
                    clicks.Record(code, context.Request);
                }

                return TypedResults.Redirect(
                    redirect.Location,
                    permanent,
                    preserveMethod: redirect.Status is RedirectType.TemporaryRedirect or RedirectType.PermanentRedirect);
            case RedirectDecision.Gone:
                context.Response.Headers.CacheControl = TemporaryCacheControl;
                return Problems.LinkGone(code);
            default:
                return Problems.LinkNotFound(code);
        }
    }
}
