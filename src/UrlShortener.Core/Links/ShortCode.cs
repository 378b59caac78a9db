using System.Collections.Frozen;

namespace UrlShortener.Core.Links;

/// <summary>What a code may look like: generated codes are Base62, aliases add '_' and '-'.</summary>
public static class ShortCode
{
    public const int MinAliasLength = 3;
    public const int MaxAliasLength = 64;

    /// <summary>Words the app's own routes use, or that a shortener should never hand out.</summary>
    public static readonly FrozenSet<string> ReservedWords = new[]
    {
        "api", "admin", "healthz", "readyz", "health", "ready", "openapi", "swagger", "docs", "runtime",
        "metrics", "status", "static", "assets", "login", "logout", "auth", "oauth", "account", "links",
        "stats", "www", "app", "dashboard", "favicon.ico", "robots.txt", "sitemap.xml", "well-known", ".well-known",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>True for anything that could be a stored code: 1 to 64 characters of <c>A-Za-z0-9_-</c>.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> code)
    {
        if (code.IsEmpty || code.Length > MaxAliasLength)
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!IsCodeChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why <paramref name="alias"/> cannot be a custom alias, or null when it can.</summary>
    public static string? CheckAlias(string alias)
    {
        if (alias.Length < MinAliasLength || alias.Length > MaxAliasLength)
        {
            return $"must be {MinAliasLength} to {MaxAliasLength} characters long.";
        }

        if (!IsWellFormed(alias))
        {
            return "may contain only letters A-Z and a-z, digits, '_' and '-'.";
        }

        if (ReservedWords.Contains(alias))
        {
            return $"'{alias}' is reserved.";
        }

        return null;
    }

    private static bool IsCodeChar(char c) =>
        c is (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '_' or '-';
}
