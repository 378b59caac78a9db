using System.Collections.Frozen;
using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Limits;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Endpoints;

namespace UrlShortener.Web.Limits;

/// <summary>Marks an API endpoint as counted against its key's quota for writes or for reads.</summary>
public sealed class ApiRateLimit
{
    public static readonly ApiRateLimit Writes = new("writes");
    public static readonly ApiRateLimit Reads = new("reads");

    private ApiRateLimit(string policy) => Policy = policy;

    /// <summary>The policy's name, as the RateLimit headers give it.</summary>
    public string Policy { get; }
}

/// <summary>
/// Per-key quotas on the API, after authorization (the key is known by then). Every counted answer carries
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> (draft-ietf-httpapi-ratelimit-headers); over the quota it is
/// 429 with an honest <c>Retry-After</c>: sent again after that many seconds, the request is allowed.
/// </summary>
/// <remarks>
/// Not the framework's rate-limiting middleware: it gives the lease to nobody but its OnRejected callback, so a
/// granted request cannot carry its remaining quota (dotnet/aspnetcore#44140, #63932).
/// </remarks>
public sealed class ApiRateLimits
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    private readonly SharedRateLimitCounter _counter;
    private readonly RateLimitMetrics _metrics;
    private readonly (RateLimitPolicy? Writes, RateLimitPolicy? Reads) _defaults;
    private readonly FrozenDictionary<string, (RateLimitPolicy? Writes, RateLimitPolicy? Reads)> _byKey;

    public ApiRateLimits(SharedRateLimitCounter counter, RateLimitMetrics metrics, IOptions<RateLimitOptions> limits, IOptions<AuthOptions> auth)
    {
        _counter = counter;
        _metrics = metrics;
        var options = limits.Value;
        _defaults = (options.Writes.ToPolicy(ApiRateLimit.Writes.Policy), options.Reads.ToPolicy(ApiRateLimit.Reads.Policy));
        _byKey = auth.Value.ApiKeys.ToFrozenDictionary(
            key => ApiKeyRegistry.KeyId(key.KeyHash!),
            key => (
                options.Writes.With(key.Limits?.Writes).ToPolicy(ApiRateLimit.Writes.Policy),
                options.Reads.With(key.Limits?.Reads).ToPolicy(ApiRateLimit.Reads.Policy)),
            StringComparer.Ordinal);
    }

    /// <summary>The policy of <paramref name="keyId"/> for <paramref name="limit"/>, or null when that key has no limit there.</summary>
    public RateLimitPolicy? PolicyFor(string keyId, ApiRateLimit limit)
    {
        var (writes, reads) = _byKey.GetValueOrDefault(keyId, _defaults);
        return limit == ApiRateLimit.Writes ? writes : reads;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiRateLimit>() is not { } limit
            || context.User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) is not { } keyId
            || PolicyFor(keyId, limit) is not { } policy)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var decision = await _counter.AcquireAsync(keyId, policy, context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        var policyHeader = string.Create(CultureInfo.InvariantCulture, $"\"{policy.Name}\";q={policy.Quota};w={Seconds(policy.Window)}");
        var stateHeader = string.Create(CultureInfo.InvariantCulture, $"\"{policy.Name}\";r={decision.Remaining};t={Seconds(decision.Reset)}");

        // Set as the answer starts: an exception handler that clears the response keeps them.
        response.OnStarting(() =>
        {
            response.Headers[PolicyHeader] = policyHeader;
            response.Headers[StateHeader] = stateHeader;
            return Task.CompletedTask;
        });

        if (!decision.Allowed)
        {
            _metrics.Refused(policy.Name);
            var retryAfter = Math.Max(Seconds(decision.RetryAfter), 1);
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await Problems.Write(context, Problems.RateLimited(policy, retryAfter)).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    // Whole seconds, rounded up: a client that waits this long is never early.
    private static long Seconds(TimeSpan time) => (long)Math.Ceiling(time.TotalSeconds);
}

public static class ApiRateLimiting
{
    /// <summary>The API's per-key quotas, in either host's pipeline, after <see cref="ApiKeyAuthentication.UseApiKeyAuthentication"/>.</summary>
    public static IApplicationBuilder UseApiRateLimits(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<ApiRateLimits>();
        return app.Use(next => context => limits.InvokeAsync(context, next));
    }
}
