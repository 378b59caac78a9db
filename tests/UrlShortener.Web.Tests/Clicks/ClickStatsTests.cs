using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using UrlShortener.Core.Clicks;
using UrlShortener.Storage.Cosmos;
using UrlShortener.Storage.Sqlite;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Clicks;

/// <summary>Redirects become exact hourly stats, through the queue and the aggregator, on each backend.</summary>
public abstract class ClickStatsTests<TApp>
    where TApp : ShortenerApp, new()
{
    internal const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    internal const string IPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    internal const string Firefox = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    internal const string Slackbot = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";

    private static readonly DateTimeOffset TenPast = new(2026, 11, 20, 10, 15, 0, TimeSpan.Zero);

    internal static Dictionary<string, string?> FastPipeline => new()
    {
        ["Clicks:LingerMilliseconds"] = "50",
        ["Clicks:AggregatorPollMilliseconds"] = "50",
        ["Clicks:CountryHeader"] = "CF-IPCountry",
    };

    /// <summary>The app with its click queue on <paramref name="bus"/>: the standalone app's drain reads it.</summary>
    internal static TApp OnServiceBus(FakeServiceBus bus, Action<IServiceCollection>? configureServices = null)
    {
        var settings = FastPipeline;
        foreach (var (name, value) in FakeServiceBus.Settings)
        {
            settings[name] = value;
        }

        return new TApp
        {
            Settings = settings,
            ConfigureServices = services =>
            {
                bus.Install(services);
                configureServices?.Invoke(services);
            },
        };
    }

    [Fact]
    public async Task Redirects_become_exact_human_clicks_in_the_right_hour_with_the_right_breakdowns()
    {
        using var app = new TApp { Settings = FastPipeline };
        app.Clock.Set(TenPast);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/launch" });
        var visitor = app.ClientWith(null);

        var visits = new List<(string Agent, string? Referrer, string? Country)>();
        for (var i = 0; i < 12; i++)
        {
            visits.Add((Chrome, "https://www.google.com/search?q=launch", "US"));
        }

        for (var i = 0; i < 5; i++)
        {
            visits.Add((IPhone, "https://news.ycombinator.com/item?id=1", "DE"));
        }

        for (var i = 0; i < 3; i++)
        {
            visits.Add((Firefox, null, null));
        }

        for (var i = 0; i < 4; i++)
        {
            visits.Add((Slackbot, null, null));
        }

        await Task.WhenAll(visits.Select(async v =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{link.Code}");
            request.Headers.UserAgent.ParseAdd(v.Agent);
            if (v.Referrer is not null)
            {
                request.Headers.Referrer = new Uri(v.Referrer);
            }

            if (v.Country is not null)
            {
                request.Headers.Add("CF-IPCountry", v.Country);
            }

            using var response = await visitor.SendAsync(request);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }));
        using (var head = await visitor.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{link.Code}")))
        {
            Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        }

        (string, long)[] referrers = [("google.com", 12), ("news.ycombinator.com", 5), ("(direct)", 3)];
        (string, long)[] browsers = [("Chrome", 12), ("Safari", 5), ("Firefox", 3)];
        (string, long)[] systems = [("Windows", 12), ("iOS", 5), ("Linux", 3)];
        (string, long)[] devices = [("Desktop", 15), ("Mobile", 5)];
        (string, long)[] countries = [("US", 12), ("DE", 5)];
        static IEnumerable<(string, long)> Counts(StatsCountJson[] counts) => counts.Select(c => (c.Name, c.Clicks));

        // Cosmos DB applies a message's day update in patches of at most 10 operations (hours first, then the
        // breakdowns), so a read can come between two of them: wait for all of it, not only the totals.
        var stats = await WaitForStatsAsync(app, link.Code, "from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z", s =>
            s.Total == 20 && s.BotClicks == 5 && Counts(s.Referrers).SequenceEqual(referrers) && Counts(s.Browsers).SequenceEqual(browsers)
            && Counts(s.OperatingSystems).SequenceEqual(systems) && Counts(s.Devices).SequenceEqual(devices) && Counts(s.Countries).SequenceEqual(countries));

        Assert.Equal(20, stats.Total);
        Assert.Equal(5, stats.BotClicks);
        Assert.Equal(24, stats.Series.Length);
        Assert.Equal(20, stats.Series.Single(p => p.Start == TenPast.AddMinutes(-15)).Clicks);
        Assert.Equal(referrers, Counts(stats.Referrers));
        Assert.Equal(browsers, Counts(stats.Browsers));
        Assert.Equal(systems, Counts(stats.OperatingSystems));
        Assert.Equal(devices, Counts(stats.Devices));
        Assert.Equal(countries, Counts(stats.Countries));
    }

    [Theory]
    [InlineData("from=2026-11-19&to=2026-11-22", 3)] // a few days: point reads on Cosmos DB
    [InlineData("from=2026-11-01&to=2026-12-01", 30)] // a month: one query on Cosmos DB
    public async Task Day_granularity_sums_each_day(string range, int days)
    {
        using var app = new TApp { Settings = FastPipeline };
        app.Clock.Set(TenPast);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/daily" });
        await VisitAsync(app, link.Code, 3);
        await WaitForStatsAsync(app, link.Code, "from=2026-11-20&to=2026-11-21", s => s.Total == 3);
        app.Clock.Set(TenPast.AddDays(1));
        await VisitAsync(app, link.Code, 2);
        var bot = app.ClientWith(null);
        bot.DefaultRequestHeaders.UserAgent.ParseAdd(Slackbot);
        (await bot.GetAsync($"/{link.Code}")).Dispose();

        var stats = await WaitForStatsAsync(app, link.Code, range + "&granularity=day", s => s.Total == 5 && s.BotClicks == 1);

        Assert.Equal("day", stats.Granularity);
        Assert.Equal(days, stats.Series.Length);
        var clicked = stats.Series.Where(p => p.Clicks > 0).Select(p => (DateOnly.FromDateTime(p.Start.UtcDateTime), p.Clicks));
        Assert.Equal([(new DateOnly(2026, 11, 20), 3L), (new DateOnly(2026, 11, 21), 2L)], clicked);

        // Bots are kept per day: each day's point says how many it had.
        var bots = stats.Series.Where(p => p.BotClicks > 0).Select(p => (DateOnly.FromDateTime(p.Start.UtcDateTime), p.BotClicks));
        Assert.Equal([(new DateOnly(2026, 11, 21), (long?)1)], bots);
        Assert.All(stats.Series, p => Assert.NotNull(p.BotClicks));
    }

    [Fact]
    public async Task The_same_messages_delivered_twice_count_each_click_once()
    {
        var bus = new FakeServiceBus();
        using var app = OnServiceBus(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/twice" });
        var now = app.Clock.GetUtcNow();

        for (var delivery = 0; delivery < 2; delivery++)
        {
            bus.Queue.Send("clk-1", Message(link.Code, now, 3));
            bus.Queue.Send("clk-2", Message(link.Code, now, 2));
        }

        await bus.WaitUntilDrainedAsync();
        Assert.Equal(5, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_that_fails_halfway_is_abandoned_redelivered_and_counts_each_click_once()
    {
        var failing = new FailOnceStatsStore(failOnCall: 2);
        var bus = new FakeServiceBus();
        using var app = OnServiceBus(bus, failing.Install);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/halfway" });
        var now = app.Clock.GetUtcNow();
        bus.Queue.Send("clk-a", Message(link.Code, now, 4));
        bus.Queue.Send("clk-b", Message(link.Code, now, 2));
        bus.Queue.Send("clk-c", Message(link.Code, now, 1));

        await bus.WaitUntilDrainedAsync();

        Assert.True(bus.Queue.Deliveries > 3, "the failed message was delivered again");
        Assert.Empty(bus.Queue.DeadLetters);
        Assert.Equal(7, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task Messages_whose_lock_ran_out_in_the_middle_of_a_batch_count_each_click_once()
    {
        var bus = new FakeServiceBus();
        var expired = 0;

        // The first batch's locks run out while it is applied: completing it fails, and it comes again.
        bus.Queue.OnReceived = received =>
        {
            if (received.Count > 0 && Interlocked.Exchange(ref expired, 1) == 0)
            {
                bus.Queue.ExpireLocks();
            }
        };
        using var app = OnServiceBus(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/lock-lost" });
        var now = app.Clock.GetUtcNow();
        bus.Queue.Send("clk-x", Message(link.Code, now, 5));
        bus.Queue.Send("clk-y", Message(link.Code, now, 6));

        await bus.WaitUntilDrainedAsync();

        Assert.Equal(4, bus.Queue.Deliveries);
        Assert.Equal(11, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task A_message_applied_again_after_many_patches_changes_nothing()
    {
        using var app = new TApp();
        var stats = app.Services.GetRequiredService<IStatsStore>();
        var day = new DailyClicks("manydims", new DateOnly(2026, 11, 20));
        for (var hour = 0; hour < 24; hour++)
        {
            day.Hours[hour] = hour + 1;
        }

        for (var i = 0; i < 30; i++)
        {
            day.Referrers[$"site{i}.example"] = 1;
        }

        await stats.ApplyAsync("msg-many", [day], CancellationToken.None);
        await stats.ApplyAsync("msg-many", [day], CancellationToken.None);

        var read = (await stats.ReadAsync("manydims", [day.Day], CancellationToken.None)).Single();
        Assert.Equal(day.Hours, read.Hours);
        Assert.Equal(30, read.Referrers.Count);
        Assert.All(read.Referrers.Values, v => Assert.Equal(1L, v));
        Assert.Equal(300, await stats.TotalAsync("manydims", CancellationToken.None));
    }

    [Fact]
    public async Task A_message_is_recognised_for_the_redelivery_window_and_older_ids_are_forgotten()
    {
        using var app = new TApp();
        var stats = app.Services.GetRequiredService<IStatsStore>();
        var day = new DateOnly(2026, 11, 20);
        Task ApplyAsync(string messageId)
        {
            var clicks = new DailyClicks("window", day);
            clicks.Hours[9] = 1;
            return stats.ApplyAsync(messageId, [clicks], CancellationToken.None);
        }

        // Applied a minute before an hour turns, and delivered again 59 minutes later, after others came in between.
        app.Clock.Set(new DateTimeOffset(2026, 11, 20, 9, 59, 0, TimeSpan.Zero));
        await ApplyAsync("msg-first");
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await ApplyAsync("msg-between");
        app.Clock.Advance(TimeSpan.FromMinutes(29));
        await ApplyAsync("msg-first");
        Assert.Equal(2, await stats.TotalAsync("window", CancellationToken.None));

        // A link clicked all day: one message every 10 minutes for 5 hours. Only the recent ids are kept.
        for (var i = 0; i < 30; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(10));
            await ApplyAsync($"msg-{i}");
        }

        Assert.Equal(32, await stats.TotalAsync("window", CancellationToken.None));
        Assert.InRange(await RememberedMessagesAsync(app, "window"), 6, 13);
    }

    [Fact]
    public async Task Messages_applied_at_once_across_an_hour_turn_count_once_each()
    {
        using var app = new TApp();
        var stats = app.Services.GetRequiredService<IStatsStore>();
        Task ApplyAsync(string messageId)
        {
            var clicks = new DailyClicks("turn", new DateOnly(2026, 11, 20));
            clicks.Hours[9] = 1;
            clicks.Referrers["news.example"] = 1;
            return stats.ApplyAsync(messageId, [clicks], CancellationToken.None);
        }

        // Every message twice, all at once; then the same in the next hour, where the first writers empty a slot,
        // and the first ones again, 50 minutes after they were applied.
        app.Clock.Set(new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => ApplyAsync($"msg-{i % 20}")));
        app.Clock.Advance(TimeSpan.FromMinutes(50));
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => ApplyAsync($"msg-{(i % 20) + 20}")));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ApplyAsync($"msg-{i}")));

        Assert.Equal(40, await stats.TotalAsync("turn", CancellationToken.None));
        var read = (await stats.ReadAsync("turn", [new DateOnly(2026, 11, 20)], CancellationToken.None)).Single();
        Assert.Equal(40, read.Referrers["news.example"]);
    }

    /// <summary>How many message ids the store keeps for <paramref name="code"/> (most in any one of its records).</summary>
    private protected abstract Task<int> RememberedMessagesAsync(TApp app, string code);

    [Fact]
    public async Task An_unreadable_message_is_dead_lettered_and_does_not_poison_its_batch()
    {
        var bus = new FakeServiceBus();
        using var app = OnServiceBus(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/mixed" });
        var now = app.Clock.GetUtcNow();
        var mixed = JsonSerializer.Serialize(new
        {
            clicks = new object[]
            {
                new { code = link.Code, ts = now, browser = "Chrome", os = "Windows", device = "Desktop" },
                new { code = "nosuchcode", ts = now },
                new { code = link.Code, ts = now.AddDays(2) },
                new { code = link.Code, ts = now.AddDays(-400) },
                new { code = link.Code },
                new { ts = now },
                new { code = "bad/code", ts = now },
                new { code = link.Code, ts = now, browser = "Chrome", os = "Windows", device = "Desktop" },
            },
        });
        bus.Queue.Send("clk-bad", "{not json");
        bus.Queue.Send("clk-mixed", mixed);
        bus.Queue.Send("clk-empty", "");
        bus.Queue.Send("clk-good", Message(link.Code, now, 1));

        await bus.WaitUntilDrainedAsync();

        // What cannot be read at all is set aside with a reason; the rest is counted, its bad entries dropped.
        Assert.Equal(["clk-bad", "clk-empty"], bus.Queue.DeadLetters.Select(d => d.MessageId).Order());
        Assert.All(bus.Queue.DeadLetters, d => Assert.Equal("UnreadableClickMessage", d.Reason));
        Assert.All(bus.Queue.DeadLetters, d => Assert.False(string.IsNullOrEmpty(d.Description)));
        Assert.Equal(3, await app.Services.GetRequiredService<IStatsStore>().TotalAsync(link.Code, CancellationToken.None));
    }

    [Fact]
    public async Task A_visit_from_a_long_referrer_host_counts_under_the_host_cut_to_its_site()
    {
        using var app = new TApp { Settings = FastPipeline };
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/long-referrer" });
        var host = $"{new string('a', 50)}.{new string('b', 46)}.com";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{link.Code}");
        request.Headers.UserAgent.ParseAdd(Chrome);
        request.Headers.Referrer = new Uri($"https://{host}/");

        using (var response = await app.ClientWith(null).SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        var stats = await WaitForStatsAsync(app, link.Code, string.Empty, s => s.Total == 1);
        Assert.Equal($"{new string('b', 46)}.com", stats.Referrers.Single().Name);
    }

    [Fact]
    public async Task A_click_with_a_dimension_no_store_can_keep_counts_under_other()
    {
        var bus = new FakeServiceBus();
        using var app = OnServiceBus(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/odd-dimensions" });
        var now = app.Clock.GetUtcNow();
        var odd = JsonSerializer.Serialize(new
        {
            clicks = new object[]
            {
                new { code = link.Code, ts = now, @ref = new string('r', 150) + ".com", browser = "Chrome", os = "Windows", device = "Desktop" },
                new { code = link.Code, ts = now, @ref = "t.co", browser = "Chr/ome", os = "Win~dows", device = "Desk\"top", country = "usa" },
            },
        });

        bus.Queue.Send("clk-odd", odd);

        await bus.WaitUntilDrainedAsync();
        var stats = await WaitForStatsAsync(app, link.Code, string.Empty, s => s.Total == 2);
        Assert.Contains(stats.Referrers, r => r.Name == "Other" && r.Clicks == 1);
        Assert.Contains(stats.Browsers, r => r.Name == "Other" && r.Clicks == 1);
        Assert.Contains(stats.OperatingSystems, r => r.Name == "Other" && r.Clicks == 1);
        Assert.Contains(stats.Devices, r => r.Name == "Other" && r.Clicks == 1);
    }

    [Fact]
    public async Task An_entry_with_a_count_counts_that_many_visits_and_a_bad_count_is_dropped()
    {
        var bus = new FakeServiceBus();
        using var app = OnServiceBus(bus);
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/merged" });
        var now = app.Clock.GetUtcNow();
        var merged = JsonSerializer.Serialize(new
        {
            clicks = new object[]
            {
                new { code = link.Code, ts = now, @ref = "t.co", browser = "Chrome", os = "Windows", device = "Desktop", n = 40 },
                new { code = link.Code, ts = now, browser = "Safari", os = "iOS", device = "Mobile", bot = false, n = 2 },
                new { code = link.Code, ts = now, browser = "Bot", os = "Other", device = "Bot", bot = true, n = 7 },
                new { code = link.Code, ts = now, browser = "Chrome", os = "Windows", device = "Desktop", n = 0 },
                new { code = link.Code, ts = now, browser = "Chrome", os = "Windows", device = "Desktop", n = -3 },
                new { code = link.Code, ts = now, browser = "Chrome", os = "Windows", device = "Desktop", n = 100_000_001 },
            },
        });

        bus.Queue.Send("clk-merged", merged);

        await bus.WaitUntilDrainedAsync();
        var stats = await app.Client().GetFromJsonAsync<JsonElement>($"/api/links/{link.Code}/stats");
        Assert.Equal(42, stats.GetProperty("total").GetInt64());
        Assert.Equal(7, stats.GetProperty("botClicks").GetInt64());
        Assert.Equal(40, stats.GetProperty("referrers").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "t.co").GetProperty("clicks").GetInt64());
        Assert.Equal(2, stats.GetProperty("devices").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "Mobile").GetProperty("clicks").GetInt64());
    }

    [Fact]
    public async Task A_link_answers_410_once_its_counted_clicks_reach_max_clicks_and_again_302_when_the_cap_is_raised()
    {
        using var app = new TApp { Settings = FastPipeline };
        var api = app.Client();
        var link = await api.CreateLinkAsync(new { url = "https://example.com/limited", maxClicks = 3 });
        await VisitAsync(app, link.Code, 3);

        var status = await WaitForRedirectStatusAsync(app, link.Code, HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.NotNull((await api.GetFromJsonAsync<JsonElement>($"/api/links/{link.Code}")).GetProperty("exhaustedAt").GetString());

        await api.PatchAsJsonAsync($"/api/links/{link.Code}", new { maxClicks = 100 });
        Assert.Equal(HttpStatusCode.Found, await WaitForRedirectStatusAsync(app, link.Code, HttpStatusCode.Found));

        await api.PatchAsJsonAsync($"/api/links/{link.Code}", new { maxClicks = 2 });
        Assert.Equal(HttpStatusCode.Gone, await WaitForRedirectStatusAsync(app, link.Code, HttpStatusCode.Gone));
    }

    [Theory]
    [InlineData("granularity=minute", "granularity")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-11-20T10:00:00", "from")]
    [InlineData("from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z", "to")]
    [InlineData("from=2026-01-01&to=2026-03-01", "from")]
    [InlineData("from=2024-01-01&to=2026-01-01&granularity=day", "from")]
    public async Task Bad_stats_parameters_answer_400_naming_them(string query, string field)
    {
        using var app = new TApp();
        var link = await app.Client().CreateLinkAsync(new { url = "https://example.com/s" });

        using var response = await app.Client().GetAsync($"/api/links/{link.Code}/stats?{query}");

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Stats_of_another_owners_link_answer_404_and_need_the_stats_scope()
    {
        using var app = new TApp();
        var link = await app.ClientWith(Keys.OwnerA).CreateLinkAsync(new { url = "https://example.com/mine" });

        using var other = await app.ClientWith(Keys.OwnerB).GetAsync($"/api/links/{link.Code}/stats");
        using var readOnly = await app.ClientWith(Keys.OwnerAReadOnly).GetAsync($"/api/links/{link.Code}/stats");
        using var anonymous = await app.ClientWith(null).GetAsync($"/api/links/{link.Code}/stats");
        var own = await app.ClientWith(Keys.OwnerA).GetFromJsonAsync<StatsJson>($"/api/links/{link.Code}/stats");

        await ProblemAssert.IsProblemAsync(other, HttpStatusCode.NotFound, "urn:urlshortener:problem:link-not-found");
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(24, own!.Series.Length);
        Assert.Equal(0, own.Total);
    }

    internal static string Message(string code, DateTimeOffset time, int clicks) => JsonSerializer.Serialize(new
    {
        clicks = Enumerable.Range(0, clicks).Select(_ => new { code, ts = time, browser = "Chrome", os = "Windows", device = "Desktop" }),
    });

    internal static async Task VisitAsync(ShortenerApp app, string code, int times)
    {
        var visitor = app.ClientWith(null);
        visitor.DefaultRequestHeaders.UserAgent.ParseAdd(Chrome);
        for (var i = 0; i < times; i++)
        {
            (await visitor.GetAsync($"/{code}")).Dispose();
        }
    }

    private static async Task<HttpStatusCode> WaitForRedirectStatusAsync(ShortenerApp app, string code, HttpStatusCode expected)
    {
        var visitor = app.ClientWith(null);

        // HEAD: a bot visit, so waiting does not add human clicks.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var response = await visitor.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{code}"));
            status = response.StatusCode;
            if (status == expected)
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return status;
    }

    internal static async Task<StatsJson> WaitForStatsAsync(ShortenerApp app, string code, string query, Func<StatsJson, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        StatsJson stats;
        do
        {
            stats = (await app.Client().GetFromJsonAsync<StatsJson>($"/api/links/{code}/stats?{query}"))!;
            if (done(stats))
            {
                return stats;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return stats;
    }

    /// <summary>The real stats store, failing its Nth apply once: a store outage in the middle of a batch.</summary>
    private sealed class FailOnceStatsStore(int failOnCall)
    {
        private readonly int _failOnCall = failOnCall;
        private int _calls;

        public void Install(IServiceCollection services)
        {
            var real = services.Last(d => d.ServiceType == typeof(IStatsStore));
            services.AddSingleton<IStatsStore>(sp => new Failing((IStatsStore)(real.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)), this));
        }

        private sealed class Failing(IStatsStore inner, FailOnceStatsStore owner) : IStatsStore
        {
            public Task ApplyAsync(string messageId, IReadOnlyList<DailyClicks> days, CancellationToken cancellationToken) =>
                Interlocked.Increment(ref owner._calls) == owner._failOnCall
                    ? throw new TimeoutException("The stats store did not answer.")
                    : inner.ApplyAsync(messageId, days, cancellationToken);

            public Task<IReadOnlyList<DailyClicks>> ReadAsync(string code, IReadOnlyList<DateOnly> days, CancellationToken cancellationToken) =>
                inner.ReadAsync(code, days, cancellationToken);

            public Task<long> TotalAsync(string code, CancellationToken cancellationToken) => inner.TotalAsync(code, cancellationToken);
        }
    }
}

public sealed class ClickStatsOnEmbeddedTests : ClickStatsTests<ShortenerApp>
{
    private protected override async Task<int> RememberedMessagesAsync(ShortenerApp app, string code)
    {
        await using var connection = await app.Services.GetRequiredService<SqliteDatabase>().OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM stats_applied;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

public sealed class ClickStatsOnCosmosRedisTests : ClickStatsTests<CosmosRedisApp>
{
    private protected override async Task<int> RememberedMessagesAsync(CosmosRedisApp app, string code)
    {
        var database = app.Services.GetRequiredService<CosmosDatabase>();
        var remembered = 0;
        foreach (var id in new[] { "20261120", "total" })
        {
            var found = await database.FindAsync<AppliedPartsDocument>(database.Stats, id, new PartitionKey(code), CancellationToken.None);
            var applied = found!.Value.Document.Applied!;
            remembered = Math.Max(remembered, applied.Even.Ids.Count + applied.Odd.Ids.Count);
        }

        return remembered;
    }
}

public sealed record StatsJson(
    string Code, DateTimeOffset From, DateTimeOffset To, string Granularity, long Total, StatsPointJson[] Series,
    StatsCountJson[] Referrers, StatsCountJson[] Browsers, StatsCountJson[] OperatingSystems, StatsCountJson[] Devices, StatsCountJson[] Countries, long BotClicks, StatsCountJson[]? Campaigns = null, long QrScans = 0, StatsCountJson[]? Sources = null, long UniqueVisitors = 0);

public sealed record StatsPointJson(DateTimeOffset Start, long Clicks, long? UniqueVisitors = null, long? BotClicks = null);

public sealed record StatsCountJson(string Name, long Clicks);
