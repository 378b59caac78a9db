using System.Collections.Frozen;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using UrlShortener.Web.Endpoints;
using UrlShortener.Web.Hosting;

namespace UrlShortener.Web.Auth;

/// <summary>The configured keys by hash, and whether the app runs open (Development, no keys).</summary>
public sealed class ApiKeyRegistry
{
    public const string LocalOwner = "local";

    private readonly FrozenDictionary<string, ClaimsPrincipal> _principalsByHash;
    private readonly ClaimsPrincipal _localPrincipal = CreatePrincipal(LocalOwner, LocalOwner, Scopes.All);

    public ApiKeyRegistry(IOptions<AuthOptions> options)
    {
        _principalsByHash = options.Value.ApiKeys.ToFrozenDictionary(
            key => key.KeyHash!.ToLowerInvariant(),
            key => CreatePrincipal(KeyId(key.KeyHash!), key.Owner!, key.Scopes),
            StringComparer.Ordinal);
    }

    /// <summary>True when no keys are configured: only allowed in Development, where everyone is the local owner.</summary>
    public bool IsOpen => _principalsByHash.Count == 0;

    public ClaimsPrincipal? Find(string? apiKey)
    {
        if (IsOpen)
        {
            return _localPrincipal;
        }

        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 512)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return _principalsByHash.GetValueOrDefault(Convert.ToHexStringLower(hash));
    }

    /// <summary>Names a key in rate-limit counters: the head of its hash, which tells nothing of the key.</summary>
    public static string KeyId(string keyHash) => keyHash[..16].ToLowerInvariant();

    private static ClaimsPrincipal CreatePrincipal(string keyId, string owner, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, owner), new(ApiKeyAuthenticationHandler.KeyIdClaim, keyId) };
        claims.AddRange(scopes.Select(scope => new Claim(ApiKeyAuthenticationHandler.ScopeClaim, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }
}

/// <summary>Authenticates <c>X-Api-Key</c>; answers 401 and 403 as problem details.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry registry)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ScopeClaim = "scope";
    public const string KeyIdClaim = "key_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = Request.Headers[HeaderName].ToString();
        if (!registry.IsOpen && apiKey.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(registry.Find(apiKey) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("Unknown API key."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Problems.Write(Context, Problems.Unauthorized(
            $"Send a valid API key in the {HeaderName} header."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, Problems.Forbidden("This API key does not have the scope this operation needs."));
}

public static class ApiKeyAuthentication
{
    internal static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<ApiKeyRegistry>();
        // Authentication core only: API keys need no cookies, so no Data Protection key ring.
        services.AddWebEncoders();
        // No default scheme to authenticate with: only the API's policies name the API-key scheme, so
        // a redirect (anonymous, the hot path) never runs an authentication handler. Since .NET 7 a
        // lone scheme becomes the default by itself; this documented switch turns that off.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthenticationCore(options =>
        {
            options.DefaultChallengeScheme = ApiKeyAuthenticationHandler.SchemeName;
            options.DefaultForbidScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        authorization.AddPolicy(Scopes.AnyKey, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(scope, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope));
        }

        return services;
    }

    /// <summary>API-key authentication and the policies' authorization, in either host's pipeline; warns when the app runs open.</summary>
    public static IApplicationBuilder UseApiKeyAuthentication(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        if (services.GetRequiredService<ApiKeyRegistry>().IsOpen)
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(services.GetRequiredService<IHostEnvironment>().ApplicationName);
            Log.RunningOpen(logger, ApiKeyRegistry.LocalOwner);
        }

        // With no default scheme this authenticates nothing; the authorization middleware
        // authenticates with the scheme each policy names.
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The owner the authenticated key belongs to.</summary>
    public static string Owner(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated.");
}
