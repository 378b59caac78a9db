using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using UrlShortener.Web.Tests.Endpoints;
using UrlShortener.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace UrlShortener.Web.Tests.Dashboard;

/// <summary>The dashboard in Chromium against the standalone app: keys, the table, the editor, downloads, safety.</summary>
public sealed class DashboardTests(ITestOutputHelper output) : IAsyncLifetime
{
    private IDashboardSite _site = null!;

    public Task InitializeAsync()
    {
        _site = StandaloneDashboardSite.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_wrong_key_shows_a_clear_message_and_nothing_else()
    {
        await using var browser = await Open();
        var page = browser.Page;
        await browser.GoToDashboardAsync();
        await page.GetByLabel("API key").FillAsync("not-a-real-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.Locator("#api-key-error")).ToHaveTextAsync("That API key was not accepted. Check that you pasted the whole key.");
        await Assertions.Expect(page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("API key")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#links-view")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('urlshortener.apiKey')"));
        await browser.ScreenshotAsync("standalone-wrong-key");

        // An empty key is asked for, not sent as an anonymous call the server refuses.
        await page.GetByLabel("API key").FillAsync(string.Empty);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#api-key-error")).ToHaveTextAsync("Paste an API key: this server needs one.");
    }

    [Fact]
    public async Task A_key_without_links_write_sees_no_way_to_change_links_and_a_refusal_if_it_tries()
    {
        await _site.Client().CreateLinkAsync(new { url = "https://example.com/read-me", alias = "read-me" });
        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerAReadOnly);

        var row = page.Locator("tr[data-code='read-me']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "New link" })).ToBeHiddenAsync();
        foreach (var action in new[] { "Edit read-me", "Disable read-me", "Delete read-me", "Stats of read-me" })
        {
            await Assertions.Expect(row.GetByLabel(action)).ToHaveCountAsync(0);
        }

        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Download the QR code of read-me" })).ToBeVisibleAsync();

        await page.GotoAsync("/dashboard/#/links/new");
        await Assertions.Expect(page.Locator("#form-error")).ToHaveTextAsync("This API key may only read: creating and changing links needs the links:write scope.");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create link" })).ToBeDisabledAsync();
    }

    [Fact]
    public async Task Search_and_tag_narrow_the_table_and_paging_reaches_every_link()
    {
        var client = _site.Client();
        var codes = new HashSet<string>();
        for (var i = 0; i < 45; i++)
        {
            var link = await client.CreateLinkAsync(i < 12
                ? new { url = $"https://example.com/sale/{i}", title = $"Spring sale {i}", tags = new[] { "spring" } }
                : new { url = $"https://example.com/page/{i}", title = $"Page {i}", tags = new[] { "evergreen" } });
            codes.Add(link.Code);
        }

        await _site.ClientWith(Keys.OwnerB).CreateLinkAsync(new { url = "https://example.com/sale/b", title = "Spring sale of B", tags = new[] { "spring" } });

        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);

        var seen = new List<string>();
        var rows = page.Locator("#links-body tr");
        foreach (var (expectedRows, pageNumber) in new[] { (20, 1), (20, 2), (5, 3) })
        {
            await Assertions.Expect(page.Locator("#page-info")).ToHaveTextAsync($"Page {pageNumber}");
            await Assertions.Expect(rows).ToHaveCountAsync(expectedRows);
            seen.AddRange(await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.code)"));
            if (pageNumber < 3)
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
            }
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next page" })).ToBeDisabledAsync();
        Assert.Equal(45, seen.Count);
        Assert.Equal(codes.Order(), seen.Order());

        await page.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#page-info")).ToHaveTextAsync("Page 2");
        await Assertions.Expect(rows).ToHaveCountAsync(20);

        await page.GetByLabel("Search").FillAsync("spring sale");
        await page.GetByLabel("Search").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#page-info")).ToHaveTextAsync("Page 1");
        await Assertions.Expect(rows).ToHaveCountAsync(12);
        await Assertions.Expect(page.Locator("#links-body")).Not.ToContainTextAsync("Spring sale of B");

        await page.GetByLabel("Search").FillAsync("sale/1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(3); // sale/1, sale/10, sale/11
        await browser.ScreenshotAsync("standalone-search");

        await page.GetByLabel("Search").FillAsync(string.Empty);
        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("evergreen");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(20);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(13);
        await Assertions.Expect(page.Locator("#links-body")).Not.ToContainTextAsync("Spring sale");

        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("no-such-tag");
        await page.GetByLabel("Tag", new() { Exact = true }).PressAsync("Enter");
        await Assertions.Expect(page.Locator("#links-empty")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(20);
        await Assertions.Expect(page.GetByLabel("Tag", new() { Exact = true })).ToHaveValueAsync(string.Empty);
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task The_qr_download_is_a_png_that_decodes_to_the_short_url()
    {
        var link = await _site.Client().CreateLinkAsync(new { url = "https://example.com/poster", alias = "poster" });
        await using var browser = await Open();
        await browser.SignInAsync(Keys.OwnerA);

        var download = await browser.Page.RunAndWaitForDownloadAsync(() =>
            browser.Page.GetByRole(AriaRole.Button, new() { Name = "Download the QR code of poster" }).ClickAsync());

        Assert.Equal("poster-qr.png", download.SuggestedFilename);
        var png = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(link.ShortUrl + "?qr=1", QrCodeTests<ShortenerApp>.ReadPng(png));
        Assert.StartsWith(_site.BaseUri.ToString(), link.ShortUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_puts_the_short_url_on_the_clipboard()
    {
        var link = await _site.Client().CreateLinkAsync(new { url = "https://example.com/copy-me", alias = "copy-me" });
        await using var browser = await Open();
        await browser.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await browser.SignInAsync(Keys.OwnerA);

        await browser.Page.GetByRole(AriaRole.Button, new() { Name = "Copy " + link.ShortUrl }).ClickAsync();

        await Assertions.Expect(browser.Page.Locator("#notice")).ToHaveTextAsync("Copied " + link.ShortUrl);
        Assert.Equal(link.ShortUrl, await browser.Page.EvaluateAsync<string>("navigator.clipboard.readText()"));
    }

    [Fact]
    public async Task A_title_or_destination_that_looks_like_html_is_shown_as_text_and_nothing_runs()
    {
        const string Title = "<img src=x onerror=alert(1)>";
        const string Tag = "<b>bold</b>";
        var link = await _site.Client().CreateLinkAsync(new
        {
            url = "https://example.com/?q=<script>alert(2)</script>",
            alias = "xss",
            title = Title,
            tags = new[] { Tag },
        });

        await using var browser = await Open();
        var page = browser.Page;
        var response = await page.GotoAsync("/dashboard/");
        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
        Assert.Equal("no-referrer", await response.HeaderValueAsync("referrer-policy"));

        await browser.SignInAsync(Keys.OwnerA);
        var row = page.Locator("tr[data-code='xss']");
        await Assertions.Expect(row.Locator("td[data-label='Title']")).ToHaveTextAsync(Title);
        await Assertions.Expect(row.Locator("td[data-label='Destination']")).ToHaveTextAsync(link.Url);
        await Assertions.Expect(row.Locator(".tag")).ToHaveTextAsync(Tag);
        await Assertions.Expect(page.Locator("#links-body img, #links-body script, #links-body b")).ToHaveCountAsync(0);

        await page.GotoAsync("/dashboard/#/links/xss/edit");
        await Assertions.Expect(page.GetByLabel("Title")).ToHaveValueAsync(Title);
        await page.GotoAsync("/dashboard/#/links/xss");
        await Assertions.Expect(page.Locator("#stats-heading")).ToHaveTextAsync("Stats of xss: " + Title);
        await Assertions.Expect(page.Locator("#stats-destination")).ToHaveTextAsync(link.Url);
        await Assertions.Expect(page.Locator("main img, main script:not([src])")).ToHaveCountAsync(0);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.Empty(browser.Dialogs);
        Assert.Empty(browser.ConsoleErrors);

        // An inline script is refused by the policy itself, not only never written: Chromium reports the refusal.
        var inlineRan = await page.EvaluateAsync<bool>(
            "() => { try { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.append(s); } catch { } return window.__ran === true; }");
        Assert.False(inlineRan);
        Assert.Contains(browser.ConsoleErrors, e => e.Contains("TrustedScript", StringComparison.Ordinal));
        Assert.Empty(browser.Dialogs);
    }

    [Fact]
    public async Task No_console_error_appears_on_any_screen()
    {
        var link = await _site.Client().CreateLinkAsync(new { url = "https://example.com/quiet", alias = "quiet", title = "Quiet" });
        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);
        await page.GotoAsync("/dashboard/#/links/new");
        await Assertions.Expect(page.GetByLabel("Destination URL")).ToBeFocusedAsync();
        await page.GotoAsync($"/dashboard/#/links/{link.Code}/edit");
        await Assertions.Expect(page.GetByLabel("Destination URL")).ToHaveValueAsync(link.Url);
        await page.GotoAsync($"/dashboard/#/links/{link.Code}?range=7d&bots=1");
        await Assertions.Expect(page.Locator("#chart canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#total-bots-item")).ToBeVisibleAsync();
        await page.GotoAsync($"/dashboard/#/links/{link.Code}?range=custom&from=2026-11-01&to=2026-11-30");
        await Assertions.Expect(page.Locator("#stats-from")).ToHaveValueAsync("2026-11-01");
        await Assertions.Expect(page.Locator("#chart-caption")).ToContainTextAsync("30 days");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.Empty(browser.ConsoleErrors);
        Assert.Empty(browser.Dialogs);
    }

    [Fact]
    public async Task Problems_from_the_api_appear_next_to_the_field_they_name()
    {
        await _site.Client().CreateLinkAsync(new { url = "https://example.com/taken", alias = "taken" });
        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);
        await page.GetByRole(AriaRole.Link, new() { Name = "New link" }).ClickAsync();

        await page.GetByLabel("Destination URL").FillAsync("javascript:alert(1)");
        await page.GetByLabel("Max clicks").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#f-url-error")).ToContainTextAsync("The destination URL");
        await Assertions.Expect(page.Locator("#f-max-clicks-error")).ToContainTextAsync("Max clicks");
        await Assertions.Expect(page.GetByLabel("Destination URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Destination URL")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#f-alias-error")).ToBeHiddenAsync();
        await browser.ScreenshotAsync("standalone-field-errors");

        await page.GetByLabel("Destination URL").FillAsync("https://example.com/mine");
        await page.GetByLabel("Max clicks").FillAsync(string.Empty);
        await page.GetByLabel("Custom alias").FillAsync("taken");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#f-alias-error")).ToHaveTextAsync("The alias is taken: choose another.");
        await Assertions.Expect(page.Locator("#f-url-error")).ToBeHiddenAsync();

        await page.GetByLabel("Custom alias").FillAsync("has space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#f-alias-error")).ToContainTextAsync("The alias");
        await Assertions.Expect(page.Locator("#f-alias-error")).Not.ToContainTextAsync("taken");

        await page.GetByLabel("Custom alias").FillAsync("mine");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-code='mine']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Every_field_of_a_link_can_be_set_then_edited_and_the_link_disabled_and_deleted()
    {
        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);
        await page.GetByRole(AriaRole.Link, new() { Name = "New link" }).ClickAsync();
        await page.GetByLabel("Destination URL").FillAsync("https://example.com/full");
        await page.GetByLabel("Custom alias").FillAsync("full");
        await page.GetByLabel("Title").FillAsync("Everything");
        await page.GetByLabel("Tags").FillAsync("a, b");
        await page.GetByLabel("Expires at").FillAsync("2030-01-02T03:04");
        await page.GetByLabel("Max clicks").FillAsync("100");
        await page.GetByLabel("Redirect").SelectOptionAsync("301");
        await page.GetByLabel("Fallback URL").FillAsync("https://example.com/gone");
        await page.GetByLabel("Pass the visitor's query string on to the destination").CheckAsync();
        foreach (var (label, value) in new[] { ("Source", "news"), ("Medium", "email"), ("Campaign", "launch"), ("Term", "shoes"), ("Content", "hero") })
        {
            await page.GetByLabel(label, new() { Exact = true }).FillAsync(value);
        }

        await page.GetByLabel("Password visitors must give").FillAsync("open sesame");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        var row = page.Locator("tr[data-code='full']");
        await Assertions.Expect(row).ToContainTextAsync("Active · password");

        var created = await _site.Client().GetFromJsonAsync<System.Text.Json.JsonElement>("/api/links/full");
        Assert.Equal("https://example.com/full", created.GetProperty("url").GetString());
        Assert.Equal("Everything", created.GetProperty("title").GetString());
        Assert.Equal(["a", "b"], created.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 0, TimeSpan.Zero), created.GetProperty("expiresAt").GetDateTimeOffset()); // the browser's zone is UTC
        Assert.Equal(100, created.GetProperty("maxClicks").GetInt64());
        Assert.Equal(301, created.GetProperty("redirectType").GetInt32());
        Assert.Equal("https://example.com/gone", created.GetProperty("fallbackUrl").GetString());
        Assert.True(created.GetProperty("forwardQuery").GetBoolean());
        Assert.Equal("shoes", created.GetProperty("utm").GetProperty("term").GetString());
        Assert.True(created.GetProperty("passwordProtected").GetBoolean());

        await row.GetByRole(AriaRole.Link, new() { Name = "Edit full" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit full" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Title")).ToHaveValueAsync("Everything");
        await Assertions.Expect(page.GetByLabel("Expires at")).ToHaveValueAsync("2030-01-02T03:04");
        await Assertions.Expect(page.GetByLabel("Campaign")).ToHaveValueAsync("launch");
        await Assertions.Expect(page.GetByLabel("Custom alias")).ToBeHiddenAsync();
        await browser.ScreenshotAsync("standalone-edit");
        await page.GetByLabel("Title").FillAsync("Everything, renamed");
        await page.GetByLabel("Tags").FillAsync(string.Empty);
        await page.GetByLabel("Max clicks").FillAsync(string.Empty);
        await page.GetByLabel("Remove the password").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("Saved");
        await Assertions.Expect(row).ToContainTextAsync("Everything, renamed");
        await Assertions.Expect(row).Not.ToContainTextAsync("password");

        var edited = await _site.Client().GetFromJsonAsync<System.Text.Json.JsonElement>("/api/links/full");
        Assert.Empty(edited.GetProperty("tags").EnumerateArray());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, edited.GetProperty("maxClicks").ValueKind);
        Assert.False(edited.GetProperty("passwordProtected").GetBoolean());
        Assert.Equal(301, edited.GetProperty("redirectType").GetInt32());

        await row.GetByRole(AriaRole.Button, new() { Name = "Disable full" }).ClickAsync();
        await Assertions.Expect(row.Locator("td[data-label='Status']")).ToHaveTextAsync("Disabled");
        using (var visit = await _site.ClientWith(null).GetAsync("/full"))
        {
            Assert.Equal("https://example.com/gone", visit.Headers.Location?.OriginalString);
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Enable full" }).ClickAsync();
        await Assertions.Expect(row.Locator("td[data-label='Status']")).ToHaveTextAsync("Active");

        var delete = row.GetByRole(AriaRole.Button, new() { Name = "Delete full" });
        await delete.ClickAsync();
        await Assertions.Expect(delete).ToHaveTextAsync("Confirm delete");
        await delete.ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("Deleted");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        using var gone = await _site.Client().GetAsync("/api/links/full");
        Assert.False(gone.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Sign_out_clears_the_key_which_never_travels_in_a_url_or_a_cookie()
    {
        await using var browser = await Open();
        var page = browser.Page;
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);
        await browser.SignInAsync(Keys.OwnerA);
        Assert.Equal(Keys.OwnerA.Secret, await page.EvaluateAsync<string?>("sessionStorage.getItem('urlshortener.apiKey')"));

        // A reload keeps the session of this tab.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Links" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('urlshortener.apiKey')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        Assert.Empty(await browser.Context.CookiesAsync());
        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("document.cookie"));
        Assert.NotEmpty(urls);
        Assert.DoesNotContain(urls, url => url.Contains(Keys.OwnerA.Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Keys.OwnerA.Secret, page.Url, StringComparison.Ordinal);

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task On_a_phone_width_screen_nothing_scrolls_sideways()
    {
        var client = _site.Client();
        var link = await client.CreateLinkAsync(new { url = "https://example.com/a/rather/long/path/that/would/push/a/table/wider/than/a/phone?with=query&and=more", title = "A phone-sized view", tags = new[] { "mobile", "campaign" } });
        await client.CreateLinkAsync(new { url = "https://example.com/second", title = "Second" });

        await using var browser = await DashboardBrowser.OpenAsync(_site.BaseUri, output, width: 390, height: 844);
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);
        await Assertions.Expect(page.Locator("#links-body tr")).ToHaveCountAsync(2);
        await AssertNoSidewaysScrollAsync(page);
        await browser.ScreenshotAsync("phone-links");

        await page.GotoAsync("/dashboard/#/links/new");
        await AssertNoSidewaysScrollAsync(page);
        await browser.ScreenshotAsync("phone-new-link");

        await page.GotoAsync($"/dashboard/#/links/{link.Code}");
        await Assertions.Expect(page.Locator("#chart canvas")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(page);
        await browser.ScreenshotAsync("phone-stats");
    }

    [Fact]
    public async Task Axe_finds_no_serious_accessibility_violation_on_the_main_screens()
    {
        var link = await _site.Client().CreateLinkAsync(new { url = "https://example.com/axe", title = "Axe", tags = new[] { "a11y" } });

        // axe is injected as a script: only this context sets the CSP aside for it.
        await using var browser = await DashboardBrowser.OpenAsync(_site.BaseUri, output, bypassCsp: true);
        var page = browser.Page;
        await browser.GoToDashboardAsync();
        await AssertAccessibleAsync(page, "sign-in");
        await browser.SignInAsync(Keys.OwnerA);
        await Assertions.Expect(page.Locator("#links-body tr")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page, "links");
        await page.GotoAsync("/dashboard/#/links/new");
        await page.GetByLabel("Destination URL").FillAsync("not a url");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        await Assertions.Expect(page.Locator("#f-url-error")).Not.ToBeEmptyAsync();
        await AssertAccessibleAsync(page, "editor with errors");
        await page.GotoAsync($"/dashboard/#/links/{link.Code}");
        await Assertions.Expect(page.Locator("#chart canvas")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "stats");
    }

    [Fact]
    public async Task The_keyboard_alone_reaches_create_and_saves_a_link()
    {
        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);

        // From the top of the page, Tab moves through the controls in reading order.
        await page.Locator("body").FocusAsync();
        var reached = new List<string>();
        for (var i = 0; i < 6 && !reached.Contains("New link"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        }

        Assert.Contains("New link", reached);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Destination URL")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("https://example.com/keyboard");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#links-body")).ToContainTextAsync("https://example.com/keyboard");
    }

    [Fact]
    public async Task Csv_export_downloads_the_stats_under_the_servers_file_name()
    {
        var link = await _site.Client().CreateLinkAsync(new { url = "https://example.com/csv", alias = "csv-link" });
        var visitor = _site.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd(DashboardBrowser.DesktopChrome);
        using (var visit = await visitor.GetAsync("/csv-link"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Found, visit.StatusCode);
        }

        await using var browser = await Open();
        var page = browser.Page;
        await browser.SignInAsync(Keys.OwnerA);
        await page.GotoAsync($"/dashboard/#/links/{link.Code}?range=7d&granularity=day");
        await DashboardFlowTests.ShowUntilAsync(page, _site, "#total-clicks", "1");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());

        Assert.Matches(new Regex(@"^csv-link-stats-\d{8}T\d{2}-\d{8}T\d{2}\.csv$"), download.SuggestedFilename);
        var rows = (await File.ReadAllLinesAsync(await download.PathAsync())).Select(line => line.Split(',')).ToList();
        Assert.Equal(["section", "name", "clicks"], rows[0]);
        Assert.Contains(rows, row => row is ["total", "", "1"]);
        var days = rows.Where(row => row[0] == "series").ToList();
        Assert.InRange(days.Count, 7, 8);
        Assert.Equal(1, days.Sum(row => int.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture)));
    }

    private Task<DashboardBrowser> Open() => DashboardBrowser.OpenAsync(_site.BaseUri, output);

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (widths[0], widths[1]);
        Assert.True(scroll <= client, $"the page is {scroll} px wide on a {client} px screen");
    }

    private async Task AssertAccessibleAsync(IPage page, string screen)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"axe on {screen}: {violation.Impact} {violation.Id}: {violation.Help} ({string.Join(", ", violation.Nodes.Select(n => n.Html))})");
        }

        Assert.True(serious.Count == 0, $"axe on {screen}: " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help}")));
    }
}
