using CsCheck;
using UrlShortener.Core.Clicks;
using UrlShortener.Core.Links;

namespace UrlShortener.Core.Tests.Clicks;

public class StatsQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "9999-12-31T23:30:00Z", null, "to")]
    [InlineData(null, "0001-01-01T00:30:00Z", null, "to")]
    [InlineData(null, "0001-01-01", "day", "to")]
    [InlineData("0001-01-01", null, "day", "from")]
    [InlineData("9999-12-31", "9999-12-31T23:59:59Z", "hour", "from")]
    [InlineData(null, "9999-01-01", "day", "to")]
    public void Dates_outside_the_representable_range_are_refused_naming_the_field(string? from, string? to, string? granularity, string field)
    {
        var errors = new ValidationErrors();

        Assert.Null(StatsQuery.Parse(from, to, granularity, Now, errors));
        Assert.True(errors.Contains(field), string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
    }

    [Fact]
    public void The_last_day_of_the_range_is_still_accepted()
    {
        var query = StatsQuery.Parse("9998-12-30", "9998-12-31T23:59:59Z", "day", Now, new ValidationErrors());

        Assert.NotNull(query);
        Assert.Equal(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero), query.To);
    }

    private static readonly Gen<string?> TimeText = Gen.OneOf(
        Gen.Const(default(string)),
        Gen.String.Select(s => (string?)s),
        Gen.DateTimeOffset.Select(t => (string?)t.ToString("O")),
        Gen.DateTime.Select(t => (string?)t.ToString("yyyy-MM-dd")),
        Gen.DateTime.Select(t => (string?)t.ToString("yyyy-MM-ddTHH:mm:ssZ")));

    [Fact]
    public void Any_query_either_names_what_is_wrong_or_gives_an_aligned_bounded_range() =>
        Gen.Select(TimeText, TimeText, Gen.OneOf(Gen.Const(default(string)), Gen.Const<string?>(() => "hour"), Gen.Const<string?>(() => "day"), Gen.String.Select(s => (string?)s)))
            .Sample((from, to, granularity) =>
            {
                var errors = new ValidationErrors();
                var query = StatsQuery.Parse(from, to, granularity, Now, errors);
                if (query is null)
                {
                    return !errors.IsEmpty;
                }

                var step = query.Granularity == Granularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
                var max = query.Granularity == Granularity.Hour ? StatsQuery.MaxHourlyRange : StatsQuery.MaxDailyRange;
                var report = StatsReport.Build("abc", query, []);
                return errors.IsEmpty && query.From < query.To && query.To - query.From <= max
                    && query.From.UtcTicks % step.Ticks == 0 && query.To.UtcTicks % step.Ticks == 0
                    && report.Series.Count == (int)((query.To - query.From) / step);
            }, iter: 20_000);
}
