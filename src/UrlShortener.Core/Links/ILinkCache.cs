using UrlShortener.Core.Links;

namespace UrlShortener.Core.Links;

/// <summary>
/// A cache shared by every instance (L2), behind the in-process one. An accelerator only: every
/// method answers quickly whatever the state of the server behind it, and failures read as misses.
/// </summary>
public interface ILinkCache
{
    /// <summary>Found: the cache knows the code (Link null = known unknown). Not found: ask the store.</summary>
    ValueTask<(bool Found, ShortLink? Link)> TryGetAsync(string code);

    /// <summary>Remembers what the store said about <paramref name="code"/>; does not wait for the server.</summary>
    void Remember(string code, ShortLink? link);

    /// <summary>Forgets <paramref name="code"/> everywhere; retried in the background when the server is away.</summary>
    ValueTask RemoveAsync(string code);
}
