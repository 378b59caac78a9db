using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UrlShortener.Core.Clicks;
using UrlShortener.Web.Clicks;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Clicks;

/// <summary>How the batcher merges visits into message entries, and how the entries travel.</summary>
public class ClickTallyTests
{
    private static readonly DateTimeOffset TenPast = new(2026, 11, 20, 10, 10, 0, TimeSpan.Zero);

    private static ClickEvent Visit(DateTimeOffset time, string? referrer = "t.co", string code = "Abc1234", bool bot = false) =>
        new(code, time, referrer, "Chrome", "Windows", "Desktop", "DE", bot);

    [Fact]
    public void Visits_with_the_same_facts_in_the_same_hour_become_one_entry_that_keeps_the_first_time()
    {
        var tally = new ClickTally();
        tally.Add(Visit(TenPast));
        tally.Add(Visit(TenPast.AddMinutes(20)));
        tally.Add(Visit(TenPast.AddMinutes(49)));

        var entry = Assert.Single(tally.ToList());
        Assert.Equal(3, entry.Count);
        Assert.Equal(TenPast, entry.Time);
        Assert.Equal(3, tally.Visits);
    }

    [Fact]
    public void Counts_already_merged_add_up()
    {
        var tally = new ClickTally();
        tally.Add(Visit(TenPast) with { Count = 3 });
        tally.Add(Visit(TenPast.AddMinutes(1)));
        tally.Add(Visit(TenPast.AddMinutes(2)) with { Count = 5 });

        var entry = Assert.Single(tally.ToList());
        Assert.Equal(9, entry.Count);
        Assert.Equal(TenPast, entry.Time);
        Assert.Equal(9, tally.Visits);
    }

    [Fact]
    public void Another_hour_code_referrer_or_bot_flag_is_another_entry()
    {
        var tally = new ClickTally();
        tally.Add(Visit(TenPast));
        tally.Add(Visit(TenPast.AddMinutes(50)));
        tally.Add(Visit(TenPast, referrer: null));
        tally.Add(Visit(TenPast, code: "Xyz9876"));
        tally.Add(Visit(TenPast, bot: true));
        tally.Add(Visit(TenPast) with { Country = null });

        Assert.Equal(6, tally.Entries);
        Assert.All(tally.ToList(), entry => Assert.Equal(1, entry.Count));
    }

    [Fact]
    public void Clear_starts_an_empty_batch()
    {
        var tally = new ClickTally();
        tally.Add(Visit(TenPast));
        tally.Clear();

        Assert.Equal(0, tally.Entries);
        Assert.Equal(0, tally.Visits);
        Assert.Empty(tally.ToList());
    }

    [Fact]
    public void A_count_travels_as_n_and_is_left_out_when_it_is_one()
    {
        var body = ClickMessage.Serialize([Visit(TenPast) with { Count = 12 }, Visit(TenPast, referrer: null)]);

        Assert.Contains("\"n\":12", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"n\":1,", body, StringComparison.Ordinal);
        var (clicks, unreadable) = ClickMessage.Parse(body);
        Assert.Equal(0, unreadable);
        Assert.Equal([12, 1], clicks.Select(c => c.Count));
    }

    [Fact]
    public void A_visitor_mark_travels_as_visitor_and_one_out_of_range_is_dropped_but_the_click_counts()
    {
        var mark = VisitorSketch.Mark(0x9E3779B97F4A7C15UL);
        var body = ClickMessage.Serialize([Visit(TenPast) with { Visitor = mark }, Visit(TenPast, referrer: null)]);

        Assert.Contains($"\"visitor\":{mark}", body, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(body, "\"visitor\""));
        var (clicks, _) = ClickMessage.Parse(body);
        Assert.Equal([mark, null], clicks.Select(c => c.Visitor));

        var (hostile, unreadable) = ClickMessage.Parse("{\"clicks\":[{\"code\":\"Abc1234\",\"ts\":\"2026-12-01T10:10:00Z\",\"visitor\":-5},{\"code\":\"Abc1234\",\"ts\":\"2026-12-01T10:10:00Z\",\"visitor\":2147483647}]}");
        Assert.Equal(0, unreadable);
        Assert.Equal([null, null], hostile.Select(c => c.Visitor));
    }

    [Fact]
    public void Daily_clicks_add_an_entry_count_times()
    {
        var day = DailyClicks.Roll([Visit(TenPast) with { Count = 5 }, Visit(TenPast, bot: true) with { Count = 3 }]).Single();

        Assert.Equal(5, day.Hours[10]);
        Assert.Equal(5, day.Referrers["t.co"]);
        Assert.Equal(5, day.Countries["DE"]);
        Assert.Equal(3, day.Bots);
    }

    [Fact]
    public void The_embedded_queue_takes_10000_entries_a_message_by_default_and_up_to_100000()
    {
        using var app = new ShortenerApp();

        Assert.Equal(ClickOptions.EmbeddedBatchSize, app.Services.GetRequiredService<IOptions<ClickOptions>>().Value.BatchSize);
        var validators = app.Services.GetServices<IValidateOptions<ClickOptions>>().ToList();
        bool Valid(int batchSize) => validators.All(v => v.Validate(Options.DefaultName, new ClickOptions { BatchSize = batchSize }).Succeeded);
        Assert.True(Valid(100_000));
        Assert.False(Valid(100_001));
    }
}
