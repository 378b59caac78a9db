using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace UrlShortener.Benchmarks.Load;

/// <summary>
/// One side of one measured run. <paramref name="BackendCpuSeconds"/> is what Redis and the Cosmos DB emulator
/// used meanwhile, on the same cores: CPU the measured side could not have.
/// </summary>
internal sealed record RunFigures(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, double CpuSeconds, double BackendCpuSeconds, double RssMegabytes, long Errors);

/// <summary>A scenario's figures: every alternated (ceiling, app) pair and the summary of them.</summary>
internal sealed record ScenarioResult(
    string Backend,
    string Scenario,
    string Description,
    IReadOnlyList<RunFigures> App,
    IReadOnlyList<RunFigures> Ceiling,
    string? Target,
    bool? TargetMet)
{
    public double AppRequestsPerSecond => Median(App.Select(r => r.RequestsPerSecond));

    public double CeilingRequestsPerSecond => Median(Ceiling.Select(r => r.RequestsPerSecond));

    /// <summary>The app's share of the ceiling over the alternated pairs (drift falls on both sides).</summary>
    public double Ratio => App.Sum(r => r.RequestsPerSecond) / Ceiling.Sum(r => r.RequestsPerSecond);

    public double AppP50 => Median(App.Select(r => r.P50Milliseconds));

    public double AppP99 => Median(App.Select(r => r.P99Milliseconds));

    public double CeilingP99 => Median(Ceiling.Select(r => r.P99Milliseconds));

    public double AppCpuSeconds => App.Average(r => r.CpuSeconds);

    public double BackendCpuSeconds => App.Average(r => r.BackendCpuSeconds);

    public double AppRssMegabytes => App.Max(r => r.RssMegabytes);

    // Apart: the ceiling's own timeouts (its bulk create keeps every link in memory) are not the app's.
    public long Errors => App.Sum(r => r.Errors);

    public long CeilingErrors => Ceiling.Sum(r => r.Errors);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>One start of the app: its configuration, how long it took to answer, and its peak memory.</summary>
internal sealed record AppStart(string Backend, string Variant, double StartupMilliseconds, double PeakRssMegabytes);

internal sealed record LoadReport(
    string Commit,
    DateTimeOffset StartedAt,
    string Machine,
    LoadSettings Settings,
    IReadOnlyList<AppStart> Starts,
    IReadOnlyList<ScenarioResult> Scenarios)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            Commit,
            StartedAt,
            Machine,
            Settings = new
            {
                Settings.Threads,
                Settings.Connections,
                DurationSeconds = Settings.Duration.TotalSeconds,
                WarmupSeconds = Settings.Warmup.TotalSeconds,
                Settings.Rounds,
            },
            Starts,
            Scenarios = Scenarios.Select(s => new
            {
                s.Backend,
                s.Scenario,
                s.Description,
                s.AppRequestsPerSecond,
                s.CeilingRequestsPerSecond,
                s.Ratio,
                s.AppP50,
                s.AppP99,
                s.CeilingP99,
                s.AppCpuSeconds,
                s.BackendCpuSeconds,
                s.AppRssMegabytes,
                s.Errors,
                s.CeilingErrors,
                s.Target,
                s.TargetMet,
                Runs = new { s.App, s.Ceiling },
            }),
        },
        JsonOptions);

    public string ToTable()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"UrlShortener load benchmark · commit {Commit} · {Machine}");
        text.AppendLine(culture, $"wrk -t{Settings.Threads} -c{Settings.Connections} -d{Settings.Duration.TotalSeconds:0}s, {Settings.Rounds} alternated (ceiling, app) pairs per row after a {Settings.Warmup.TotalSeconds:0} s warm-up; req/s and latencies are medians, the ratio is over the pairs.");
        text.AppendLine();
        text.AppendLine("| backend | scenario | app req/s | ceiling req/s | app/ceiling | app p50 ms | app p99 ms | ceiling p99 ms | app RSS MB | app CPU s/run | backends' CPU s/run | errors (app / ceiling) | target |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var s in Scenarios)
        {
            var target = s.Target is null ? "" : $"{s.Target} {s.TargetMet switch { true => "met", false => "MISSED", null => "not measured" }}";
            text.AppendLine(culture, $"| {s.Backend} | {s.Scenario} | {s.AppRequestsPerSecond:N0} | {s.CeilingRequestsPerSecond:N0} | {s.Ratio:P0} | {s.AppP50:0.00} | {s.AppP99:0.00} | {s.CeilingP99:0.00} | {s.AppRssMegabytes:0} | {s.AppCpuSeconds:0.0} | {s.BackendCpuSeconds:0.0} | {s.Errors} / {s.CeilingErrors} | {target} |");
        }

        text.AppendLine();
        text.AppendLine("| backend | app configuration | start to first answer ms | peak RSS MB | targets |");
        text.AppendLine("| --- | --- | ---: | ---: | --- |");
        static string Verdict(bool met) => met ? "met" : "MISSED";
        foreach (var start in Starts)
        {
            text.AppendLine(culture, $"| {start.Backend} | {start.Variant} | {start.StartupMilliseconds:0} | {start.PeakRssMegabytes:0} | {(start.Backend == "worker" ? $"start < 30 s (Flex) {Verdict(start.StartupMilliseconds < 30_000)}" : $"start < 1 s {Verdict(start.StartupMilliseconds < 1000)}")}, RSS < 200 MB {Verdict(start.PeakRssMegabytes < 200)} |");
        }

        text.AppendLine();
        foreach (var s in Scenarios)
        {
            text.AppendLine(culture, $"- {s.Backend} / {s.Scenario}: {s.Description}");
        }

        return text.ToString();
    }
}
