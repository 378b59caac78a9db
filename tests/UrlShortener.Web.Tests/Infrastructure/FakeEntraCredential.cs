using Azure.Core;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>A FAKE Entra ID credential (Entra cannot be reached here): a fixed token, counting requests.</summary>
public sealed class FakeEntraCredential(string token) : TokenCredential
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public string? LastScope { get; private set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        LastScope = requestContext.Scopes.Single();
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
