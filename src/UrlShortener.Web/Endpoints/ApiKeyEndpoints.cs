using System.Security.Claims;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Endpoints;

/// <summary>
/// <c>GET /api/key</c>: who the caller's API key belongs to and what it may do, so that a client (the dashboard)
/// can check a key at sign-in and offer only what the key allows.
/// </summary>
public static class ApiKeyEndpoints
{
    public static RouteHandlerBuilder MapApiKey(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/key", Describe)
            .WithName("getApiKey")
            .WithTags("API key")
            .RequireAuthorization(Scopes.AnyKey)
            .WithMetadata(ApiRateLimit.Reads)
            .WithSummary("The owner and scopes of the API key the request sends.");

    private static ApiKeyResponse Describe(HttpContext context, ClaimsPrincipal user)
    {
        // Not to be kept by a shared cache: the answer depends on the key header.
        context.Response.Headers.CacheControl = "no-store";
        return new ApiKeyResponse(
            user.Owner(),
            [.. Scopes.All.Where(scope => user.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope))]);
    }
}

/// <summary>An API key as the API shows it: its owner and its scopes, never its secret or hash.</summary>
public sealed record ApiKeyResponse(string Owner, IReadOnlyList<string> Scopes);
