using Microsoft.Extensions.Options;
using UrlShortener.Storage.Cosmos;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Storage.Cosmos;

public sealed class CosmosDatabaseTests
{
    [Theory]
    [InlineData("AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=dGhlLWVtdWxhdG9yLWFjY2VwdHMtYW55LWtleQ==;", null, 0)]
    [InlineData(null, "https://acct.documents.azure.com:443/", 1)]
    public void The_azure_credential_is_built_only_to_sign_in_without_an_account_key(string? connectionString, string? accountEndpoint, int credentialsBuilt)
    {
        var built = 0;
        var options = new CosmosOptions { ConnectionString = connectionString, AccountEndpoint = accountEndpoint };

        using var database = new CosmosDatabase(Options.Create(options), () =>
        {
            built++;
            return new FakeEntraCredential("token");
        });

        Assert.Equal(credentialsBuilt, built);
    }
}
