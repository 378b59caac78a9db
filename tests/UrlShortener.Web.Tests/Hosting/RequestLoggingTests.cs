using Microsoft.Extensions.Logging;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>
/// Per-request logging is off by default: while the hosting diagnostics category is on at any level, ASP.NET Core
/// starts an Activity and a log scope for every request, three quarters of what a redirect allocates.
/// </summary>
public class RequestLoggingTests
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public void Requests_are_not_logged_by_default(string environment)
    {
        using var app = new ShortenerApp { EnvironmentName = environment };

        // The very check ASP.NET Core's hosting makes before it starts a request's Activity and scope.
        Assert.False(app.Service<ILoggerFactory>().CreateLogger(HostingDiagnostics).IsEnabled(LogLevel.Critical));
        Assert.True(app.Service<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void Request_logging_comes_back_with_one_setting()
    {
        using var app = new ShortenerApp { Settings = new Dictionary<string, string?> { [$"Logging:LogLevel:{HostingDiagnostics}"] = "Information" } };

        Assert.True(app.Service<ILoggerFactory>().CreateLogger(HostingDiagnostics).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Started_from_another_folder_the_app_keeps_its_defaults_and_logs_no_request()
    {
        using var elsewhere = new TempDirectory("elsewhere");
        await using var app = await AppProcess.StartBuiltFromAsync(elsewhere.Path, elsewhere.File("links.db"), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });

        for (var i = 0; i < 20; i++)
        {
            using var response = await app.Client.GetAsync($"/nosuchcode{i}");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Contains($"Content root path: {Path.Combine(AppProcess.RepositoryRoot, "src", "UrlShortener.Server", "bin")}", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request finished", app.Output, StringComparison.Ordinal);
    }
}
