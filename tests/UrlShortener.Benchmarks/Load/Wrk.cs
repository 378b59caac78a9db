using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace UrlShortener.Benchmarks.Load;

/// <summary>What one wrk run asks for: the target, the path or a Lua script, and the headers.</summary>
internal sealed record WrkRequest(string Path, IReadOnlyList<string> Headers, string? Script = null, IReadOnlyList<string>? ScriptArguments = null);

/// <summary>What wrk reported for one run.</summary>
internal sealed record WrkResult(double RequestsPerSecond, long Requests, double P50Milliseconds, double P99Milliseconds, long UnexpectedStatuses, long SocketErrors);

/// <summary>
/// Runs <c>wrk</c> (<c>-t2 -c64 --latency</c> by default) and reads its report. wrk counts every
/// status outside 2xx and 3xx as "Non-2xx or 3xx responses"; a scenario that expects 404 says so.
/// </summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(Uri target, WrkRequest request, LoadSettings settings, TimeSpan duration, bool expectNon2xx)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-t", settings.Threads.ToString(CultureInfo.InvariantCulture),
            "-c", settings.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s",
            "--timeout", "5s",
            "--latency",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var header in request.Headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        if (request.Script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Load", request.Script));
        }

        start.ArgumentList.Add(new Uri(target, request.Path).ToString());
        if (request.ScriptArguments is { Count: > 0 } arguments)
        {
            start.ArgumentList.Add("--");
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var report = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with code {process.ExitCode}: {await error}\n{report}");
        }

        return Parse(report, expectNon2xx);
    }

    /// <summary>Reads wrk 4.x's text report.</summary>
    internal static WrkResult Parse(string report, bool expectNon2xx)
    {
        var rps = double.Parse(Match(RequestsPerSecondPattern(), report, "Requests/sec"), CultureInfo.InvariantCulture);
        var requests = long.Parse(Match(RequestCountPattern(), report, "requests in"), CultureInfo.InvariantCulture);
        var p50 = Latency(report, "50%");
        var p99 = Latency(report, "99%");
        var non2xx = NonSuccessPattern().Match(report) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrorsPattern().Match(report) is { Success: true } s
            ? Enumerable.Range(1, 4).Sum(i => long.Parse(s.Groups[i].Value, CultureInfo.InvariantCulture))
            : 0;
        var unexpected = expectNon2xx ? requests - non2xx : non2xx;
        return new WrkResult(rps, requests, p50, p99, Math.Max(0, unexpected), socketErrors);
    }

    private static double Latency(string report, string percentile)
    {
        var match = Regex.Match(report, $@"^\s+{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk's report has no {percentile} latency:\n{report}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            _ => value * 1000,
        };
    }

    private static string Match(Regex pattern, string report, string what) =>
        pattern.Match(report) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"wrk's report has no '{what}':\n{report}");

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"^\s+(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestCountPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccessPattern();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();
}
