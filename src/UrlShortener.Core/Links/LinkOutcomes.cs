namespace UrlShortener.Core.Links;

public abstract record CreateLinkResult
{
    private CreateLinkResult()
    {
    }

    public sealed record Created(ShortLink Link) : CreateLinkResult;

    public sealed record AliasTaken(string Alias) : CreateLinkResult;

    public sealed record Invalid(ValidationErrors Errors) : CreateLinkResult;

    /// <summary>In a bulk create: the store did not take this link (it failed or passed its deadline); it may be sent again.</summary>
    public sealed record NotStored : CreateLinkResult;
}

public abstract record UpdateLinkResult
{
    private UpdateLinkResult()
    {
    }

    public sealed record Updated(ShortLink Link) : UpdateLinkResult;

    public sealed record NotFound : UpdateLinkResult;

    public sealed record Invalid(ValidationErrors Errors) : UpdateLinkResult;

    /// <summary>Other instances kept changing the link; the same request may be sent again.</summary>
    public sealed record Conflict : UpdateLinkResult;
}

public enum DeleteLinkResult
{
    Deleted,
    NotFound,

    /// <summary>Other instances kept changing the link; the same request may be sent again.</summary>
    Conflict,
}

public sealed record LinkPage(IReadOnlyList<ShortLink> Items, LinkCursor? Next);
