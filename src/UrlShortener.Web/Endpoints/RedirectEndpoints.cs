using UrlShortener.Core.Links;
using UrlShortener.Web.Caching;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary><c>GET|HEAD /{code}</c>: the hot path every visitor takes.</summary>
public static class RedirectEndpoints
{
    // 301 and 308 may be cached, but briefly, so that a change or a delete still reaches browsers soon.
    private const string PermanentCacheControl = "private, max-age=90";
    private const string TemporaryCacheControl = "no-store";

    public static IEndpointConventionBuilder MapRedirects(this IEndpointRouteBuilder app)
    {
        // Singletons, taken once: the handler then does no service lookups per visit.
        var redirects = new Redirects(
            app.ServiceProvider.GetRequiredService<LinkLookup>(),
            app.ServiceProvider.GetRequiredService<TimeProvider>(),
            app.ServiceProvider.GetRequiredService<ClickCapture>(),
            app.ServiceProvider.GetRequiredService<UnknownCodeLimit>());
        return app.MapMethods("/{code}", [HttpMethods.Get, HttpMethods.Head], redirects.AnswerAsync)
            .WithName("followLink")
            .WithTags("Redirect")
            .AllowAnonymous()
            .Produces(StatusCodes.Status302Found)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status307TemporaryRedirect)
            .Produces(StatusCodes.Status308PermanentRedirect)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Follow a short link: 302 (or the link's 301, 307, 308) with Location.")
            // Answered by the routing middleware itself: no status-code pages (every answer here has
            // its body), no authentication or authorization (anonymous). The exception handler
            // still comes first, so a store outage is still a 503 problem.
            .WithMetadata(ShortCircuited.Instance)
            .ShortCircuit();
    }

    /// <remarks>
    /// Writes the redirect itself rather than through a result object, and stays synchronous when the
    /// link comes from the in-process cache: the common case allocates no state machine.
    /// </remarks>
    private sealed class Redirects(LinkLookup lookup, TimeProvider clock, ClickCapture clicks, UnknownCodeLimit unknownCodes)
    {
        public Task AnswerAsync(string code, HttpContext context)
        {
            if (!ShortCode.IsWellFormed(code))
            {
                return RefuseUnknown(code, context);
            }

            var find = lookup.FindAsync(code, context.RequestAborted);
            return find.IsCompletedSuccessfully ? Answer(code, find.Result, context) : AnswerLaterAsync(code, find, context);
        }

        private async Task AnswerLaterAsync(string code, ValueTask<ShortLink?> find, HttpContext context) =>
            await Answer(code, await find, context);

        private Task Answer(string code, ShortLink? link, HttpContext context)
        {
            // A scan of the link's QR code brings ?qr=1: counted as a scan, and never passed on.
            var query = QrScan.Strip(context.Request.QueryString.Value, out var scanned);
            switch (RedirectPolicy.Decide(link, clock.GetUtcNow(), query))
            {
                case RedirectDecision.Redirect redirect:
                    var permanent = redirect.Status is RedirectType.MovedPermanently or RedirectType.PermanentRedirect;
                    var response = context.Response;
                    response.Headers.CacheControl = permanent ? PermanentCacheControl : TemporaryCacheControl;
                    response.Redirect(
                        redirect.Location,
                        permanent,
                        preserveMethod: redirect.Status is RedirectType.TemporaryRedirect or RedirectType.PermanentRedirect);

                    // Counted once the answer is set: a request that fails before it is no visit.
                    if (redirect.CountsAsVisit)
                    {
                        clicks.Record(code, context.Request, redirect.Campaign, scanned);
                    }

                    return Task.CompletedTask;
                case RedirectDecision.Gone:
                    context.Response.Headers.CacheControl = TemporaryCacheControl;
                    return Refuse(Problems.LinkGone(code), context);
                default:
                    return RefuseUnknown(code, context);
            }
        }

        // Only a code that leads nowhere is counted against the client: live links are never limited.
        private Task RefuseUnknown(string code, HttpContext context)
        {
            if (unknownCodes.Refusal(context) is not { } wait)
            {
                return Refuse(Problems.LinkNotFound(code), context);
            }

            var seconds = Math.Max((long)Math.Ceiling(wait.TotalSeconds), 1);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Refuse(Problems.TooManyUnknownCodes(seconds), context);
        }

        // A HEAD gets the status and media type of the GET's problem without its body.
        private static Task Refuse(Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem, HttpContext context)
        {
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                return problem.ExecuteAsync(context);
            }

            context.Response.StatusCode = problem.StatusCode;
            context.Response.ContentType = problem.ContentType;
            return Task.CompletedTask;
        }
    }
}
