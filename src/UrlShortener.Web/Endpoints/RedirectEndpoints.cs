using UrlShortener.Core.Links;
using UrlShortener.Web.Caching;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Limits;
using UrlShortener.Web.Passwords;

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
            app.ServiceProvider.GetRequiredService<UnknownCodeLimit>(),
            app.ServiceProvider.GetRequiredService<LinkUnlocks>());
        app.MapPost("/{code}", redirects.UnlockAsync)
            .WithName("unlockLink")
            .WithTags("Redirect")
            .AllowAnonymous()
            .Accepts<UnlockForm>("application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status303SeeOther)
            .Produces(StatusCodes.Status401Unauthorized, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Unlock a password-protected link: the password form posts here; a right password sets the link's unlock cookie and answers 303 to the destination.")
            .WithMetadata(ShortCircuited.Instance)
            .ShortCircuit();
        return app.MapMethods("/{code}", [HttpMethods.Get, HttpMethods.Head], redirects.AnswerAsync)
            .WithName("followLink")
            .WithTags("Redirect")
            .AllowAnonymous()
            .Produces(StatusCodes.Status302Found)
            .Produces(StatusCodes.Status301MovedPermanently)
            .Produces(StatusCodes.Status307TemporaryRedirect)
            .Produces(StatusCodes.Status308PermanentRedirect)
            .Produces(StatusCodes.Status401Unauthorized, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Follow a short link: 302 (or the link's 301, 307, 308) with Location. A password-protected link asks for its password first (401: a form for a browser, or send it in Link-Password).")
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
    private sealed class Redirects(LinkLookup lookup, TimeProvider clock, ClickCapture clicks, UnknownCodeLimit unknownCodes, LinkUnlocks unlocks)
    {
        // The form is small: one field of at most LinkPassword.MaxLength characters.
        private static readonly Microsoft.AspNetCore.Http.Features.FormOptions UnlockFormLimits = new()
        {
            ValueCountLimit = 16,
            KeyLengthLimit = 64,
            ValueLengthLimit = 4 * Core.Links.LinkPassword.MaxLength,
            MultipartBodyLengthLimit = 16 * 1024,
            MultipartHeadersLengthLimit = 4 * 1024,
        };

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
            var unlocked = link is { PasswordProtected: true } && unlocks.HoldsUnlock(context, link);
            switch (RedirectPolicy.Decide(link, clock.GetUtcNow(), query, unlocked))
            {
                case RedirectDecision.Redirect redirect:
                    Send(code, redirect, context, scanned, seeOther: false);
                    return Task.CompletedTask;
                case RedirectDecision.Locked:
                    return context.Request.Headers[LinkUnlocks.PasswordHeader] is [{ } password]
                        ? TryPasswordAsync(link!, query.ToString(), scanned, password, context, seeOther: false)
                        : Ask(context);
                case RedirectDecision.Gone:
                    context.Response.Headers.CacheControl = TemporaryCacheControl;
                    return Refuse(Problems.LinkGone(code), context);
                default:
                    return RefuseUnknown(code, context);
            }
        }

        /// <summary><c>POST /{code}</c>: the password form's answer.</summary>
        public async Task UnlockAsync(string code, HttpContext context)
        {
            if (!ShortCode.IsWellFormed(code))
            {
                await RefuseUnknown(code, context);
                return;
            }

            var link = await lookup.FindAsync(code, context.RequestAborted);
            var query = QrScan.Strip(context.Request.QueryString.Value, out var scanned).ToString();
            switch (RedirectPolicy.Decide(link, clock.GetUtcNow(), query))
            {
                case RedirectDecision.Redirect redirect:
                    // No password (any more): the form's post goes on like a visit.
                    Send(code, redirect, context, scanned, seeOther: true);
                    return;
                case RedirectDecision.Locked:
                    break;
                case RedirectDecision.Gone:
                    context.Response.Headers.CacheControl = TemporaryCacheControl;
                    await Refuse(Problems.LinkGone(code), context);
                    return;
                default:
                    await RefuseUnknown(code, context);
                    return;
            }

            if (!context.Request.HasFormContentType)
            {
                await Refuse(Problems.UnsupportedFormMediaType(), context);
                return;
            }

            string? password;
            try
            {
                var form = await context.Request.ReadFormAsync(UnlockFormLimits, context.RequestAborted);
                password = form[LinkUnlocks.PasswordField] is [{ Length: > 0 } given] ? given : null;
            }
            catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException or IOException)
            {
                // Over the limits, malformed, or cut off by the client.
                await Refuse(Problems.Invalid(LinkUnlocks.PasswordField, "must come in a small form: one field password."), context);
                return;
            }

            if (password is null)
            {
                await (WantsPage(context)
                    ? PasswordPage.WriteAsync(context, StatusCodes.Status400BadRequest, PasswordPage.Ask)
                    : Refuse(Problems.Invalid(LinkUnlocks.PasswordField, "is required."), context));
                return;
            }

            await TryPasswordAsync(link!, query, scanned, password, context, seeOther: true);
        }

        private async Task TryPasswordAsync(ShortLink link, string query, bool scanned, string password, HttpContext context, bool seeOther)
        {
            var (outcome, wait) = await unlocks.TryAsync(context, link.Code, password, context.RequestAborted);
            switch (outcome)
            {
                case UnlockOutcome.Unlocked when RedirectPolicy.Decide(link, clock.GetUtcNow(), query, unlocked: true) is RedirectDecision.Redirect redirect:
                    unlocks.SetUnlock(context, link);
                    Send(link.Code, redirect, context, scanned, seeOther);
                    return;
                case UnlockOutcome.TooManyAttempts:
                    var seconds = Math.Max((long)Math.Ceiling(wait.TotalSeconds), 1);
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await (WantsPage(context)
                        ? PasswordPage.WriteAsync(context, StatusCodes.Status429TooManyRequests, PasswordPage.TooMany)
                        : Refuse(Problems.TooManyPasswordAttempts(seconds), context));
                    return;
                default:
                    Challenge(context);
                    await (WantsPage(context)
                        ? PasswordPage.WriteAsync(context, StatusCodes.Status401Unauthorized, PasswordPage.Wrong)
                        : Refuse(Problems.WrongPassword(), context));
                    return;
            }
        }

        private static Task Ask(HttpContext context)
        {
            Challenge(context);
            return WantsPage(context)
                ? PasswordPage.WriteAsync(context, StatusCodes.Status401Unauthorized, PasswordPage.Ask)
                : Refuse(Problems.PasswordRequired(), context);
        }

        // A 401 names how to authenticate (RFC 9110): here, the link's password in its header, or the form.
        private static void Challenge(HttpContext context)
        {
            context.Response.Headers.WWWAuthenticate = $"{LinkUnlocks.PasswordHeader} header=\"{LinkUnlocks.PasswordHeader}\"";
            context.Response.Headers.CacheControl = TemporaryCacheControl;
        }

        // A browser navigating asks for HTML; an API client for JSON or anything.
        private static bool WantsPage(HttpContext context) =>
            context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

        private void Send(string code, RedirectDecision.Redirect redirect, HttpContext context, bool scanned, bool seeOther)
        {
            // After a form's POST the browser must GET the destination, whatever the link's own status: a 303, never kept.
            var permanent = !seeOther && redirect.Status is RedirectType.MovedPermanently or RedirectType.PermanentRedirect;
            var response = context.Response;
            response.Headers.CacheControl = permanent ? PermanentCacheControl : TemporaryCacheControl;
            if (seeOther)
            {
                response.StatusCode = StatusCodes.Status303SeeOther;
                response.Headers.Location = redirect.Location;
            }
            else
            {
                response.Redirect(
                    redirect.Location,
                    permanent,
                    preserveMethod: redirect.Status is RedirectType.TemporaryRedirect or RedirectType.PermanentRedirect);
            }

            // Counted once the answer is set: a request that fails before it is no visit.
            if (redirect.CountsAsVisit)
            {
                clicks.Record(code, context.Request, redirect.Campaign, scanned);
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

/// <summary>The password form's body (for the OpenAPI document; the handler reads the form itself).</summary>
public sealed record UnlockForm(string Password);
