using BenchmarkDotNet.Attributes;
using UrlShortener.Core.Clicks;

namespace UrlShortener.Benchmarks.Micro;

/// <summary>
/// User-Agent classification over the 46 real User-Agents of the classifier's tests (target: ≥ 1 M/s),
/// remembered and not, and a whole click as the redirect captures it.
/// </summary>
public class UserAgentBenchmarks
{
    private readonly string[] _userAgents = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Micro", "user-agents.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t')[0])
        .ToArray();

    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Benchmark(OperationsPerInvoke = 46, Description = "Classify, repeated User-Agents (memo)")]
    public int Classify()
    {
        var bots = 0;
        foreach (var userAgent in _userAgents)
        {
            bots += UserAgentClassifier.Classify(userAgent).IsBot ? 1 : 0;
        }

        return bots;
    }

    [Benchmark(OperationsPerInvoke = 46, Description = "Classify, first sight (no memo)")]
    public int ClassifyFirstSight()
    {
        var bots = 0;
        foreach (var userAgent in _userAgents)
        {
            bots += UserAgentClassifier.ClassifyUncached(userAgent).IsBot ? 1 : 0;
        }

        return bots;
    }

    [Benchmark(OperationsPerInvoke = 46, Description = "A click from request facts (UA, Referer, country)")]
    public int CaptureClick()
    {
        var humans = 0;
        foreach (var userAgent in _userAgents)
        {
            var click = ClickFacts.Create("Ab3dE9x", _now, "GET", userAgent, "https://www.linkedin.com/feed/", "de", isPrefetch: false);
            humans += click.IsBot ? 0 : 1;
        }

        return humans;
    }

    [GlobalSetup]
    public void Setup()
    {
        if (_userAgents.Length != 46)
        {
            throw new InvalidOperationException($"The corpus has {_userAgents.Length} User-Agents; OperationsPerInvoke assumes 46.");
        }
    }
}

/// <summary>The stats rollup: clicks into (link, day) documents, and a report out of a month of them.</summary>
public class StatsRollupBenchmarks
{
    private const int Clicks = 10_000;
    private ClickEvent[] _clicks = [];
    private DailyClicks[] _month = [];
    private StatsQuery _hourly = null!;
    private StatsQuery _daily = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        string[] referrers = ["news.ycombinator.com", "t.co", "linkedin.com", "google.com", "reddit.com", "mail.google.com"];
        string[] browsers = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"];
        string[] systems = ["Windows", "macOS", "iOS", "Android", "Linux"];
        string[] devices = ["Desktop", "Mobile", "Tablet"];
        string[] countries = ["US", "DE", "GB", "FR", "IN", "BR", "JP"];
        _clicks = Enumerable.Range(0, Clicks).Select(_ => new ClickEvent(
            "code" + random.Next(50).ToString(System.Globalization.CultureInfo.InvariantCulture),
            start.AddMinutes(random.Next(2 * 24 * 60)),
            random.Next(4) == 0 ? null : referrers[random.Next(referrers.Length)],
            browsers[random.Next(browsers.Length)],
            systems[random.Next(systems.Length)],
            devices[random.Next(devices.Length)],
            countries[random.Next(countries.Length)],
            random.Next(10) == 0)).ToArray();

        // A month of one busy link: every day has all hours and the same spread of dimensions.
        _month = DailyClicks.Roll(Enumerable.Range(0, 30 * 24 * 20).Select(i => _clicks[i % Clicks] with
        {
            Code = "busy",
            Time = start.AddMinutes(i * 3),
        })).ToArray();
        _hourly = new StatsQuery(start, start.AddDays(30), Granularity.Hour);
        _daily = new StatsQuery(start, start.AddDays(30), Granularity.Day);
    }

    [Benchmark(OperationsPerInvoke = Clicks, Description = "Roll clicks into (link, day) documents, per click")]
    public int Roll() => DailyClicks.Roll(_clicks).Count;

    [Benchmark(Description = "Report: 30 days by hour (720 points + breakdowns)")]
    public int ReportHourly() => StatsReport.Build("busy", _hourly, _month).Series.Count;

    [Benchmark(Description = "Report: 30 days by day")]
    public int ReportDaily() => StatsReport.Build("busy", _daily, _month).Series.Count;
}
