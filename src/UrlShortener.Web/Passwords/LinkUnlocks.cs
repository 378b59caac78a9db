using Microsoft.Extensions.Options;
using UrlShortener.Core.Limits;
using UrlShortener.Core.Links;
using UrlShortener.Web.Hosting;
using UrlShortener.Web.Limits;

namespace UrlShortener.Web.Passwords;

/// <summary>What a password attempt on a link came to.</summary>
public enum UnlockOutcome
{
    Unlocked,
    WrongPassword,
    TooManyAttempts,
}

/// <summary>
/// Password-protected links: the unlock cookie a right password sets (only for that link, only for
/// <c>Shortener:PasswordUnlockMinutes</c>), and attempts, limited per link and client by
/// <c>RateLimits:PasswordAttempts</c> on the shared counter. The hash is read from the store itself: caches never hold it.
/// </summary>
public sealed class LinkUnlocks(
    ILinkStore store,
    UnlockTokens tokens,
    SharedRateLimitCounter counter,
    ClientAddresses clients,
    RateLimitMetrics metrics,
    IOptions<RateLimitOptions> limits,
    IOptions<ShortenerOptions> options,
    TimeProvider clock)
{
    /// <summary>The header an API client sends a link's password in.</summary>
    public const string PasswordHeader = "Link-Password";

    /// <summary>The form field a browser sends it in.</summary>
    public const string PasswordField = "password";

    private const string CookieName = "link-unlock";
    private readonly RateLimitPolicy? _attempts = limits.Value.PasswordAttempts.ToPolicy("password-attempts");
    private readonly TimeSpan _unlockFor = TimeSpan.FromMinutes(options.Value.PasswordUnlockMinutes);

    /// <summary>True when the request carries this link's unlock cookie, unexpired and made for its current password.</summary>
    public bool HoldsUnlock(HttpContext context, ShortLink link) =>
        context.Request.Cookies[CookieName] is { } token && tokens.Unlocks(link, token, clock.GetUtcNow());

    /// <summary>Checks <paramref name="password"/> against the stored hash, once the client is within its attempts.</summary>
    /// <returns>The outcome, and when too many, how long to wait.</returns>
    public async Task<(UnlockOutcome Outcome, TimeSpan RetryAfter)> TryAsync(HttpContext context, string code, string password, CancellationToken cancellationToken)
    {
        if (_attempts is not null)
        {
            var decision = await counter.AcquireAsync($"pw:{code}:{clients.Of(context)}", _attempts, cancellationToken).ConfigureAwait(false);
            if (!decision.Allowed)
            {
                metrics.Refused(_attempts.Name);
                return (UnlockOutcome.TooManyAttempts, decision.RetryAfter);
            }
        }

        var stored = await store.FindAsync(code, cancellationToken).ConfigureAwait(false);
        return stored?.PasswordHash is { } hash && LinkPassword.Verify(hash, password)
            ? (UnlockOutcome.Unlocked, TimeSpan.Zero)
            : (UnlockOutcome.WrongPassword, TimeSpan.Zero);
    }

    /// <summary>Sets the cookie that unlocks <paramref name="link"/>, sent back only to that link's path.</summary>
    public void SetUnlock(HttpContext context, ShortLink link)
    {
        var expires = clock.GetUtcNow() + _unlockFor;
        context.Response.Cookies.Append(CookieName, tokens.Issue(link, expires), new CookieOptions
        {
            Path = $"{context.Request.PathBase}/{link.Code}",
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Expires = expires,
            MaxAge = _unlockFor,
            IsEssential = true,
        });
    }
}
