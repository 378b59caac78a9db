using System.Collections.Concurrent;
using Microsoft.Playwright;
using UrlShortener.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary>
/// Debian's <c>chromium</c> driven by Playwright, launched once per test run (Playwright cannot download its
/// own browser here) with the flags this machine's closed network needs; closed when the run ends.
/// </summary>
public static class Chromium
{
    private static readonly Lazy<Task<IBrowser>> Browser = new(LaunchAsync);

    public static Task<IBrowser> SharedAsync() => Browser.Value;

    private static async Task<IBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChildProcesses.Require("chromium"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
            playwright.Dispose();
        };
        return browser;
    }
}

/// <summary>
/// One browser context on the dashboard of the app at <see cref="BaseUri"/>: a desktop Chrome's User-Agent (a
/// headless one counts as a bot), every console error and page error kept, screenshots saved under
/// <c>artifacts/test-output/dashboard/</c> and named in the test's output.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string DesktopChrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    private readonly ITestOutputHelper _output;

    private DashboardBrowser(Uri baseUri, IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        BaseUri = baseUri;
        Context = context;
        Page = page;
        _output = output;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => ConsoleErrors.Add("page error: " + error);
        page.Dialog += (_, dialog) =>
        {
            Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
    }

    public static string ScreenshotFolder { get; } = Path.Combine(AppProcess.RepositoryRoot, "artifacts", "test-output", "dashboard");

    public Uri BaseUri { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public ConcurrentBag<string> ConsoleErrors { get; } = [];

    /// <summary>Every alert, confirm or prompt the page opened (an injected script's <c>alert(1)</c> would land here).</summary>
    public ConcurrentBag<string> Dialogs { get; } = [];

    public static async Task<DashboardBrowser> OpenAsync(Uri baseUri, ITestOutputHelper output, int width = 1280, int height = 900, bool bypassCsp = false)
    {
        var browser = await Chromium.SharedAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(),
            UserAgent = DesktopChrome,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            BypassCSP = bypassCsp,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);

        // Destinations live on the internet, which this machine cannot reach: the browser lands on a stand-in page.
        await context.RouteAsync("https://example.com/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "text/html",
            Body = "<!doctype html><title>Landing</title><h1>Landing page</h1>",
        }));
        var page = await context.NewPageAsync();
        return new DashboardBrowser(baseUri, context, page, output);
    }

    public Task GoToDashboardAsync() => Page.GotoAsync("/dashboard/");

    /// <summary>Signs in through the form with the keyboard: type the key, press Enter.</summary>
    public async Task SignInAsync(TestKey key)
    {
        await GoToDashboardAsync();
        var field = Page.GetByLabel("API key");
        await Assertions.Expect(field).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(key.Secret);
        await Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Links" })).ToBeVisibleAsync();
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {Path.GetRelativePath(AppProcess.RepositoryRoot, path)}");
        return path;
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
