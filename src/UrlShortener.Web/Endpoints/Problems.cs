using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace UrlShortener.Web.Endpoints;

/// <summary>
/// Every error the API answers, as RFC 9457 problem details with a stable <c>type</c> per kind.
/// The README lists the types; clients may switch on them.
/// </summary>
public static class Problems
{
    public const string InvalidRequestType = "urn:urlshortener:problem:invalid-request";
    public const string UnauthorizedType = "urn:urlshortener:problem:unauthorized";
    public const string ForbiddenType = "urn:urlshortener:problem:forbidden";
    public const string LinkNotFoundType = "urn:urlshortener:problem:link-not-found";
    public const string NotFoundType = "urn:urlshortener:problem:not-found";
    public const string MethodNotAllowedType = "urn:urlshortener:problem:method-not-allowed";
    public const string AliasTakenType = "urn:urlshortener:problem:alias-taken";
    public const string ConcurrentChangeType = "urn:urlshortener:problem:concurrent-change";
    public const string LinkGoneType = "urn:urlshortener:problem:link-gone";
    public const string BodyTooLargeType = "urn:urlshortener:problem:body-too-large";
    public const string UnsupportedMediaTypeType = "urn:urlshortener:problem:unsupported-media-type";
    public const string ServiceUnavailableType = "urn:urlshortener:problem:service-unavailable";
    public const string InternalErrorType = "urn:urlshortener:problem:internal-error";
    public const string RateLimitedType = "urn:urlshortener:problem:rate-limited";
    public const string TooManyUnknownCodesType = "urn:urlshortener:problem:too-many-unknown-codes";
    public const string PasswordRequiredType = "urn:urlshortener:problem:password-required";
    public const string WrongPasswordType = "urn:urlshortener:problem:wrong-password";
    public const string TooManyPasswordAttemptsType = "urn:urlshortener:problem:too-many-password-attempts";
    public const string IdempotencyKeyInUseType = "urn:urlshortener:problem:idempotency-key-in-use";
    public const string IdempotencyKeyReusedType = "urn:urlshortener:problem:idempotency-key-reused";

    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Type = InvalidRequestType,
            Title = "The request is invalid.",
            Status = StatusCodes.Status400BadRequest,
            Detail = "See errors for what to fix; nothing was stored.",
        });

    public static ProblemHttpResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Unauthorized(string detail) =>
        Problem(StatusCodes.Status401Unauthorized, UnauthorizedType, "An API key is required.", detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, ForbiddenType, "Not allowed.", detail);

    public static ProblemHttpResult LinkNotFound(string code) =>
        Problem(StatusCodes.Status404NotFound, LinkNotFoundType, "No such short link.", $"There is no link '{Printable(code)}'.");

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, NotFoundType, "Not found.", detail);

    public static ProblemHttpResult AliasTaken(string alias) =>
        Problem(StatusCodes.Status409Conflict, AliasTakenType, "The alias is taken.", $"'{alias}' is already in use; choose another alias.");

    /// <summary>The link kept changing under this request; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult ConcurrentChange(string code) =>
        Problem(StatusCodes.Status409Conflict, ConcurrentChangeType, "The link is being changed by another request.", $"'{Printable(code)}' changed while this request was applied; nothing of it was stored. Send it again.");

    public static ProblemHttpResult LinkGone(string code) =>
        Problem(StatusCodes.Status410Gone, LinkGoneType, "This short link is no longer active.", $"The link '{Printable(code)}' has expired or was removed.");

    public static ProblemHttpResult BodyTooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, BodyTooLargeType, "The request body is too large.", $"Send at most {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType() =>
        Problem(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaTypeType, "Send JSON.", "Set Content-Type: application/json.");

    public static ProblemHttpResult UnsupportedFormMediaType() =>
        Problem(StatusCodes.Status415UnsupportedMediaType, UnsupportedMediaTypeType, "Send a form.", "Set Content-Type: application/x-www-form-urlencoded, with the password in the field password.");

    public static ProblemHttpResult ServiceUnavailable(string detail) =>
        Problem(StatusCodes.Status503ServiceUnavailable, ServiceUnavailableType, "The service is temporarily unavailable.", detail);

    /// <summary>Over the key's quota; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult RateLimited(Core.Limits.RateLimitPolicy policy, long retryAfterSeconds) =>
        Problem(StatusCodes.Status429TooManyRequests, RateLimitedType, "Too many requests.", $"This API key may send {policy.Quota} {policy.Name} per {policy.Window.TotalSeconds:0.###} s; send again in {retryAfterSeconds} s.");

    /// <summary>Too many codes that lead nowhere from this client; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult TooManyUnknownCodes(long retryAfterSeconds) =>
        Problem(StatusCodes.Status429TooManyRequests, TooManyUnknownCodesType, "Too many unknown short links.", $"This client asked for too many codes that do not exist; unknown codes are refused for {retryAfterSeconds} s. Links that exist still redirect.");

    public static ProblemHttpResult PasswordRequired() =>
        Problem(StatusCodes.Status401Unauthorized, PasswordRequiredType, "This short link needs its password.", $"Send it in the {Passwords.LinkUnlocks.PasswordHeader} header, or open the link in a browser and enter it.");

    public static ProblemHttpResult WrongPassword() =>
        Problem(StatusCodes.Status401Unauthorized, WrongPasswordType, "Wrong password.", "That is not this link's password.");

    /// <summary>Too many password attempts on one link from this client; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult TooManyPasswordAttempts(long retryAfterSeconds) =>
        Problem(StatusCodes.Status429TooManyRequests, TooManyPasswordAttemptsType, "Too many password attempts.", $"Try this link's password again in {retryAfterSeconds} s.");

    /// <summary>An earlier request with the same Idempotency-Key is still running; the caller sets <c>Retry-After</c>.</summary>
    public static ProblemHttpResult IdempotencyKeyInUse() =>
        Problem(StatusCodes.Status409Conflict, IdempotencyKeyInUseType, "A request with this Idempotency-Key is still running.", "Send it again shortly for its answer.");

    public static ProblemHttpResult IdempotencyKeyReused() =>
        Problem(StatusCodes.Status422UnprocessableEntity, IdempotencyKeyReusedType, "This Idempotency-Key was used for a different request.", "A key stands for one request body for 24 hours; use a new key for a new request.");

    /// <summary>Writes <paramref name="problem"/> outside an endpoint (authentication, exception handling).</summary>
    public static Task Write(HttpContext context, ProblemHttpResult problem) => problem.ExecuteAsync(context);

    /// <summary>Gives the framework's own problems (404 of an unknown route, 405, 500) our stable types.</summary>
    public static void AssignType(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
        {
            problem.Type = problem.Status switch
            {
                StatusCodes.Status400BadRequest => InvalidRequestType,
                StatusCodes.Status404NotFound => NotFoundType,
                StatusCodes.Status405MethodNotAllowed => MethodNotAllowedType,
                StatusCodes.Status413PayloadTooLarge => BodyTooLargeType,
                StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaTypeType,
                StatusCodes.Status429TooManyRequests => RateLimitedType,
                StatusCodes.Status503ServiceUnavailable => ServiceUnavailableType,
                >= 500 => InternalErrorType,
                _ => problem.Type,
            };
        }
    }

    private static ProblemHttpResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type);

    // Codes reach here only after validation, but a 404 for a malformed path must not echo arbitrary text.
    private static string Printable(string code) => Core.Links.ShortCode.IsWellFormed(code) ? code : "(malformed)";
}
