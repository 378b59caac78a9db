using Microsoft.Extensions.Options;
using UrlShortener.Core.Limits;

namespace UrlShortener.Web.Limits;

/// <summary>The <c>RateLimits</c> configuration section: the API's quotas per key, and unknown codes per client.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Creates, changes and deletes, per API key (<c>Auth:ApiKeys:N:Limits:Writes</c> overrides it).</summary>
    public QuotaOptions Writes { get; set; } = new() { Quota = 120, WindowSeconds = 60 };

    /// <summary>Reads of links and stats, per API key (<c>Auth:ApiKeys:N:Limits:Reads</c> overrides it).</summary>
    public QuotaOptions Reads { get; set; } = new() { Quota = 1200, WindowSeconds = 60 };

    /// <summary>Redirects that find no link (404), per client address: more get 429 until the quota comes back.</summary>
    public QuotaOptions UnknownCodes { get; set; } = new() { Quota = 100, WindowSeconds = 60 };

    /// <summary>Password attempts on one protected link, per client address, counted across instances like the API's.</summary>
    public QuotaOptions PasswordAttempts { get; set; } = new() { Quota = 10, WindowSeconds = 60 };

    /// <summary>How long the shared counter (Redis) is left alone after it failed, limiting in process meanwhile.</summary>
    public double FallbackSeconds { get; set; } = 5;
}

/// <summary>At most <see cref="Quota"/> requests per <see cref="WindowSeconds"/>, all of which may come at once. A quota of 0 turns the limit off.</summary>
public sealed class QuotaOptions
{
    public int? Quota { get; set; }

    public double? WindowSeconds { get; set; }

    /// <summary>The policy named <paramref name="name"/>, or null when the limit is off.</summary>
    internal RateLimitPolicy? ToPolicy(string name) =>
        Quota is > 0 and var quota && WindowSeconds is > 0 and var window ? new RateLimitPolicy(name, quota, TimeSpan.FromSeconds(window)) : null;

    /// <summary>This quota with the fields <paramref name="overrides"/> sets taking their place.</summary>
    internal QuotaOptions With(QuotaOptions? overrides) => new()
    {
        Quota = overrides?.Quota ?? Quota,
        WindowSeconds = overrides?.WindowSeconds ?? WindowSeconds,
    };

    internal static void Validate(string path, QuotaOptions? options, bool required, List<string> failures)
    {
        if (options is null)
        {
            return;
        }

        if (options.Quota is < 0 or > 1_000_000_000 || (required && options.Quota is null))
        {
            failures.Add($"{path}:Quota must be 0 (no limit) to 1000000000 (got {options.Quota?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}).");
        }

        if (options.WindowSeconds is not null && (options.WindowSeconds is <= 0 or > 86_400 || double.IsNaN(options.WindowSeconds.Value)) || (required && options.WindowSeconds is null))
        {
            failures.Add($"{path}:WindowSeconds must be more than 0 and at most 86400 (got {options.WindowSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}).");
        }
    }
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        QuotaOptions.Validate($"{RateLimitOptions.Section}:Writes", options.Writes, required: true, failures);
        QuotaOptions.Validate($"{RateLimitOptions.Section}:Reads", options.Reads, required: true, failures);
        QuotaOptions.Validate($"{RateLimitOptions.Section}:UnknownCodes", options.UnknownCodes, required: true, failures);
        QuotaOptions.Validate($"{RateLimitOptions.Section}:PasswordAttempts", options.PasswordAttempts, required: true, failures);
        if (options.FallbackSeconds is <= 0 or > 300 || double.IsNaN(options.FallbackSeconds))
        {
            failures.Add($"{RateLimitOptions.Section}:FallbackSeconds must be more than 0 and at most 300 (got {options.FallbackSeconds}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
