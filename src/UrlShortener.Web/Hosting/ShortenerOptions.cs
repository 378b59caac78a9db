using Microsoft.Extensions.Options;
using UrlShortener.Core.Keys;

namespace UrlShortener.Web.Hosting;

/// <summary>The <c>Shortener</c> configuration section.</summary>
public sealed class ShortenerOptions
{
    public const string Section = "Shortener";

    /// <summary>Used only in Development when no secret is configured; never outside it.</summary>
    internal const string DevelopmentCodeSecret = "development-only-code-secret-do-not-deploy";

    /// <summary>Public base URL of short links, e.g. https://sho.rt. Required outside Development, where the request's own scheme and host stand in.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Length of generated codes (5 to 10). Changing it on a live store starts a new code space.</summary>
    public int CodeLength { get; set; } = 7;

    /// <summary>Key of the code permutation. Required outside Development; keep it secret and never change it.</summary>
    public string? CodeSecret { get; set; }

    /// <summary>How many counter values an instance draws from the key-generation function at a time.</summary>
    public int KeyRangeSize { get; set; } = 1000;

    /// <summary>How many bulk creates an instance runs at once; more wait their turn. Unset: the processor count, at least 2.</summary>
    public int? BulkCreateConcurrency { get; set; }

    /// <summary>How long the in-process cache keeps a link (and an unknown code) after reading it. 0 turns it off.</summary>
    public double LocalCacheSeconds { get; set; } = 5;

    /// <summary>How many links the in-process cache holds at most.</summary>
    public int LocalCacheCapacity { get; set; } = 100_000;

    /// <summary>How long a call to the link or stats store, and a readiness check, may take before it counts as failed (503).</summary>
    public double StoreTimeoutSeconds { get; set; } = 5;

    /// <summary>Proxies (addresses or CIDR networks) whose <c>X-Forwarded-For</c> names the client; loopback is always trusted.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>A header a trusted proxy sets to the client's address, e.g. Azure Front Door's <c>X-Azure-ClientIP</c>; else X-Forwarded-For.</summary>
    public string? ClientAddressHeader { get; set; }

    /// <summary>How long a right password unlocks its link in that browser (the unlock cookie's lifetime).</summary>
    public double PasswordUnlockMinutes { get; set; } = 30;
}

internal sealed class ShortenerOptionsValidator(IHostEnvironment environment) : IValidateOptions<ShortenerOptions>
{
    public ValidateOptionsResult Validate(string? name, ShortenerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.BaseUrl) && !environment.IsDevelopment())
        {
            failures.Add($"Shortener:BaseUrl is required in the {environment.EnvironmentName} environment: the public base of short links, e.g. https://sho.rt (short URLs never come from a request's Host header there).");
        }
        else if (options.BaseUrl is { Length: > 0 } baseUrl
            && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            failures.Add($"Shortener:BaseUrl must be an absolute http or https URL without query or fragment (got '{baseUrl}').");
        }

        if (options.CodeLength is < 5 or > Base62.MaxLength)
        {
            failures.Add($"Shortener:CodeLength must be 5 to {Base62.MaxLength} (got {options.CodeLength}).");
        }

        if (string.IsNullOrEmpty(options.CodeSecret))
        {
            failures.Add($"Shortener:CodeSecret is required in the {environment.EnvironmentName} environment: set a long random secret (e.g. `openssl rand -base64 32`) and never change it.");
        }
        else if (options.CodeSecret.Length < 16 && !environment.IsDevelopment())
        {
            failures.Add("Shortener:CodeSecret must be at least 16 characters long.");
        }

        if (options.KeyRangeSize is < 1 or > 1_000_000)
        {
            failures.Add($"Shortener:KeyRangeSize must be 1 to 1000000 (got {options.KeyRangeSize}).");
        }

        if (options.BulkCreateConcurrency is < 1 or > 1024)
        {
            failures.Add($"Shortener:BulkCreateConcurrency must be 1 to 1024 (got {options.BulkCreateConcurrency}).");
        }

        if (options.LocalCacheSeconds is < 0 or > 3600 || double.IsNaN(options.LocalCacheSeconds))
        {
            failures.Add($"Shortener:LocalCacheSeconds must be 0 to 3600 (got {options.LocalCacheSeconds}).");
        }

        if (options.StoreTimeoutSeconds is < 0.1 or > 120 || double.IsNaN(options.StoreTimeoutSeconds))
        {
            failures.Add($"Shortener:StoreTimeoutSeconds must be 0.1 to 120 (got {options.StoreTimeoutSeconds}).");
        }

        foreach (var proxy in options.TrustedProxies.Where(p => !Limits.ClientAddresses.IsNetwork(p)))
        {
            failures.Add($"Shortener:TrustedProxies has '{proxy}', which is neither an IP address nor a CIDR network such as 10.0.0.0/8.");
        }

        if (options.PasswordUnlockMinutes is < 1 or > 1440 || double.IsNaN(options.PasswordUnlockMinutes))
        {
            failures.Add($"Shortener:PasswordUnlockMinutes must be 1 to 1440 (got {options.PasswordUnlockMinutes}).");
        }

        if (options.LocalCacheCapacity < 1)
        {
            failures.Add($"Shortener:LocalCacheCapacity must be at least 1 (got {options.LocalCacheCapacity}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
