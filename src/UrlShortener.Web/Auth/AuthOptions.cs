using Microsoft.Extensions.Options;

namespace UrlShortener.Web.Auth;

/// <summary>The <c>Auth</c> configuration section: API keys, stored only as SHA-256 hashes.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

/// <summary><c>Auth:ApiKeys:N</c>: one key, its owner and what it may do.</summary>
public sealed class ApiKeyOptions
{
    public string? Owner { get; set; }

    /// <summary>SHA-256 of the key, 64 hex digits (e.g. <c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string? KeyHash { get; set; }

    public List<string> Scopes { get; set; } = [];

    /// <summary>This key's own quotas, in place of <c>RateLimits:Writes</c> and <c>RateLimits:Reads</c>.</summary>
    public ApiKeyLimits? Limits { get; set; }
}

/// <summary><c>Auth:ApiKeys:N:Limits</c>: the fields set here replace the defaults for this key.</summary>
public sealed class ApiKeyLimits
{
    public Limits.QuotaOptions? Writes { get; set; }

    public Limits.QuotaOptions? Reads { get; set; }
}

public static class Scopes
{
    public const string LinksWrite = "links:write";
    public const string LinksRead = "links:read";
    public const string StatsRead = "stats:read";

    public static readonly IReadOnlyList<string> All = [LinksWrite, LinksRead, StatsRead];

    /// <summary>The policy of what any valid key may do (say who it is), whatever its scopes.</summary>
    public const string AnyKey = "any-key";
}

internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.ApiKeys.Count == 0 && !environment.IsDevelopment())
        {
            failures.Add($"Auth:ApiKeys is empty: configure at least one API key (Auth:ApiKeys:0:Owner, Auth:ApiKeys:0:KeyHash, Auth:ApiKeys:0:Scopes:0). Only the Development environment may run without keys; this is {environment.EnvironmentName}.");
        }

        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Owner) || key.Owner.Length > 128)
            {
                failures.Add($"Auth:ApiKeys:{i}:Owner must be 1 to 128 characters.");
            }

            if (key.KeyHash is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigit))
            {
                failures.Add($"Auth:ApiKeys:{i}:KeyHash must be the SHA-256 of the key as 64 hex digits, not the key itself.");
            }
            else if (!hashes.Add(hash))
            {
                failures.Add($"Auth:ApiKeys:{i}:KeyHash is configured twice.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"Auth:ApiKeys:{i}:Scopes is empty; give one or more of {string.Join(", ", Scopes.All)}.");
            }

            Limits.QuotaOptions.Validate($"Auth:ApiKeys:{i}:Limits:Writes", key.Limits?.Writes, required: false, failures);
            Limits.QuotaOptions.Validate($"Auth:ApiKeys:{i}:Limits:Reads", key.Limits?.Reads, required: false, failures);

            foreach (var scope in key.Scopes.Where(s => !Scopes.All.Contains(s)))
            {
                failures.Add($"Auth:ApiKeys:{i}:Scopes has unknown scope '{scope}'; known: {string.Join(", ", Scopes.All)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
