using System.Text.RegularExpressions;
using Microsoft.Playwright;
using UrlShortener.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary>
/// A marketer's first session, in Chromium, through either host: sign in, create a link, follow it, see the
/// clicks on the chart once the aggregator has run.
/// </summary>
public abstract partial class DashboardFlowTests(ITestOutputHelper output)
{
    protected abstract Task<IDashboardSite> StartSiteAsync();

    /// <summary>Screenshots of the two hosts go to files of their own.</summary>
    protected abstract string HostName { get; }

    [Fact]
    public async Task Sign_in_create_a_link_follow_it_and_see_the_clicks_on_the_chart()
    {
        await using var site = await StartSiteAsync();
        await using var browser = await DashboardBrowser.OpenAsync(site.BaseUri, output);
        var page = browser.Page;

        await browser.GoToDashboardAsync();
        await browser.ScreenshotAsync($"{HostName}-1-sign-in");
        await browser.SignInAsync(Keys.OwnerA);
        await Assertions.Expect(page.Locator("#who-owner")).ToHaveTextAsync("Signed in as owner-a");

        await page.GetByRole(AriaRole.Link, new() { Name = "New link" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New link" })).ToBeVisibleAsync();
        await page.GetByLabel("Destination URL").FillAsync("https://example.com/spring-launch");
        await page.GetByLabel("Custom alias").FillAsync("spring-launch");
        await page.GetByLabel("Title").FillAsync("Spring launch");
        await page.GetByLabel("Tags").FillAsync("spring, email");
        await page.GetByLabel("Expires at").FillAsync(DateTime.Now.AddDays(30).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Source").FillAsync("newsletter");
        await page.GetByLabel("Campaign").FillAsync("spring");
        await browser.ScreenshotAsync($"{HostName}-2-new-link");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();

        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("Created");
        var row = page.Locator("tr[data-code='spring-launch']");
        await Assertions.Expect(row).ToContainTextAsync("Spring launch");
        await Assertions.Expect(row).ToContainTextAsync("https://example.com/spring-launch");
        await Assertions.Expect(row).ToContainTextAsync("Active");
        await browser.ScreenshotAsync($"{HostName}-3-links");

        // Each click on the short link opens a tab that goes through the redirect to the destination.
        for (var click = 0; click < 3; click++)
        {
            var tab = await page.RunAndWaitForPopupAsync(() => row.GetByRole(AriaRole.Link, new() { Name = "spring-launch", Exact = true }).ClickAsync());
            await tab.WaitForURLAsync(LandingPage());
            Assert.Contains("utm_source=newsletter", tab.Url, StringComparison.Ordinal);
            Assert.Contains("utm_campaign=spring", tab.Url, StringComparison.Ordinal);
            await tab.CloseAsync();
        }

        await row.GetByRole(AriaRole.Link, new() { Name = "Stats of spring-launch" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Stats of spring-launch: Spring launch" })).ToBeVisibleAsync();
        await ShowUntilAsync(page, site, "#total-clicks", "3");
        await Assertions.Expect(page.Locator("#total-unique")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#chart")).ToHaveAttributeAsync("aria-label", new Regex("3 human clicks"));
        await Assertions.Expect(page.Locator("#chart canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-breakdown='campaigns'] li")).ToContainTextAsync("spring");
        await Assertions.Expect(page.Locator("[data-breakdown='browsers'] li")).ToContainTextAsync("Chrome");

        await page.GetByLabel("Range").SelectOptionAsync("30d");
        await Assertions.Expect(page.GetByLabel("By")).ToHaveValueAsync("day");
        await Assertions.Expect(page.Locator("#chart")).ToHaveAttributeAsync("aria-label", new Regex("unique visitors: 3 human clicks"));
        await browser.ScreenshotAsync($"{HostName}-4-stats");
        Assert.Empty(browser.ConsoleErrors);
    }

    internal static Regex LandingPage() => LandingPageUrl();

    /// <summary>Presses Show (after a run of the aggregator, where the host needs one) until the total reads <paramref name="expected"/>.</summary>
    internal static async Task ShowUntilAsync(IPage page, IDashboardSite site, string selector, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await site.AggregateAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (await page.Locator(selector).TextContentAsync() == expected || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        await Assertions.Expect(page.Locator(selector)).ToHaveTextAsync(expected);
    }

    [GeneratedRegex(@"^https://example\.com/spring-launch\?")]
    private static partial Regex LandingPageUrl();
}

public sealed class StandaloneDashboardFlowTests(ITestOutputHelper output) : DashboardFlowTests(output)
{
    protected override string HostName => "standalone";

    protected override Task<IDashboardSite> StartSiteAsync() => Task.FromResult<IDashboardSite>(StandaloneDashboardSite.Start());
}

public sealed class WorkerDashboardFlowTests(ITestOutputHelper output) : DashboardFlowTests(output)
{
    protected override string HostName => "worker";

    protected override async Task<IDashboardSite> StartSiteAsync() => await WorkerDashboardSite.StartAsync();
}
