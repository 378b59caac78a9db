using Microsoft.Extensions.Options;
using UrlShortener.Functions.Storage.Cosmos;
using UrlShortener.Functions.Tests.Infrastructure;

namespace UrlShortener.Functions.Tests.Storage.Cosmos;

public sealed class CosmosDatabaseTests
{
    [Fact]
    public void An_account_key_never_asks_for_the_azure_credential()
    {
        var asked = 0;
        var options = new CosmosOptions { ConnectionString = "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=dGhlLWVtdWxhdG9yLWFjY2VwdHMtYW55LWtleQ==;" };

        using var database = new CosmosDatabase(Options.Create(options), () => Credential(ref asked));

        Assert.Equal(0, asked);
    }

    [Fact]
    public void An_endpoint_without_a_key_signs_in_with_the_azure_credential()
    {
        var asked = 0;
        var options = new CosmosOptions { AccountEndpoint = "https://acct.documents.azure.com:443/" };

        using var database = new CosmosDatabase(Options.Create(options), () => Credential(ref asked));

        Assert.Equal(1, asked);
    }

    private static FakeEntraCredential Credential(ref int asked)
    {
        asked++;
        return new FakeEntraCredential("token");
    }
}
