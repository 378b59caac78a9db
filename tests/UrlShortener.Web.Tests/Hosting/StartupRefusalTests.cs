using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>Wrong or missing configuration stops the process at start, with a message naming the setting.</summary>
public sealed class StartupRefusalTests : IDisposable
{
    private readonly TempDirectory _directory = new("refusal");

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_development_the_app_refuses_to_start_without_api_keys(string environment)
    {
        var settings = Settings(environment);
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Auth__", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:ApiKeys is empty", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auth__ApiKeys__0__KeyHash", "key-in-plain-text", "Auth:ApiKeys:0:KeyHash must be the SHA-256")]
    [InlineData("Auth__ApiKeys__0__Scopes__0", "links:everything", "unknown scope 'links:everything'")]
    [InlineData("Shortener__CodeSecret", "", "Shortener:CodeSecret is required")]
    [InlineData("Shortener__CodeSecret", "short", "Shortener:CodeSecret must be at least 16 characters")]
    [InlineData("Shortener__BaseUrl", "sho.rt", "Shortener:BaseUrl must be an absolute http or https URL")]
    [InlineData("Shortener__BaseUrl", "", "Shortener:BaseUrl is required in the Production environment")]
    [InlineData("Shortener__CodeLength", "3", "Shortener:CodeLength must be 5 to 10")]
    [InlineData("Shortener__CodeLength", "seven", "Shortener:CodeLength")]
    [InlineData("Shortener__KeyRangeSize", "0", "Shortener:KeyRangeSize must be 1 to 1000000")]
    [InlineData("Shortener__BulkCreateConcurrency", "0", "Shortener:BulkCreateConcurrency must be 1 to 1024")]
    public async Task Wrong_configuration_fails_the_start_with_a_message_naming_the_setting(string name, string value, string expected)
    {
        var settings = Settings("Production");
        settings[name] = value;

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://account.documents.azure.com:443/", null, "true", "Cosmos:DisableServerCertificateValidation is only for a loopback emulator")]
    [InlineData("https://account.documents.azure.com:443/", "https://account.documents.azure.com:443/", null, "not both")]
    [InlineData("http://account.documents.azure.com/", null, null, "must be an absolute https URL")]
    public async Task Wrong_cosmos_configuration_fails_the_start(string connectionEndpoint, string? accountEndpoint, string? disableValidation, string expected)
    {
        var settings = Settings("Production");
        settings["Cosmos__ConnectionString"] = $"AccountEndpoint={connectionEndpoint};AccountKey=dGVzdA==;";
        if (accountEndpoint is not null)
        {
            settings["Cosmos__AccountEndpoint"] = accountEndpoint;
        }

        if (disableValidation is not null)
        {
            settings["Cosmos__DisableServerCertificateValidation"] = disableValidation;
        }

        var (exitCode, output) = await AppProcess.RunUntilExitAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_settings_without_a_fault_start_and_serve()
    {
        // The control for the cases above: only the broken setting stops the app.
        await using var app = await AppProcess.StartBuiltAsync(_directory.File("control.db"), Settings("Production"));
        using var anonymous = await app.Client.GetAsync("/api/links");
        app.Client.DefaultRequestHeaders.Add("X-Api-Key", Keys.OwnerA.Secret);
        using var keyed = await app.Client.GetAsync("/api/links");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, keyed.StatusCode);
        Assert.Contains("Hosting environment: Production", app.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private Dictionary<string, string> Settings(string environment)
    {
        var key = Keys.OwnerA;
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Embedded__DatabasePath"] = _directory.File("links.db"),
            ["Shortener__CodeSecret"] = "test-code-secret-0123456789",
            ["Shortener__BaseUrl"] = "https://sho.rt",
            ["Auth__ApiKeys__0__Owner"] = key.Owner,
            ["Auth__ApiKeys__0__KeyHash"] = key.Hash,
        };
        for (var i = 0; i < key.Scopes.Length; i++)
        {
            settings[$"Auth__ApiKeys__0__Scopes__{i}"] = key.Scopes[i];
        }

        return settings;
    }
}
