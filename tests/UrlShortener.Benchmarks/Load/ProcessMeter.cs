using System.Globalization;

namespace UrlShortener.Benchmarks.Load;

/// <summary>A process's CPU time and memory, read from Linux's <c>/proc</c>.</summary>
internal sealed class ProcessMeter(int processId)
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    public int ProcessId { get; } = processId;

    /// <summary>User plus system CPU seconds used so far.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        // The command name (field 2) may hold spaces; the fields after it are plain numbers.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Counting from field 3 (state) at index 0: utime is field 14, stime field 15.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>Resident set size now, in MB.</summary>
    public double RssMegabytes() => StatusKilobytes("VmRSS:") / 1024.0;

    /// <summary>The most the resident set has been since the process started, in MB.</summary>
    public double PeakRssMegabytes() => StatusKilobytes("VmHWM:") / 1024.0;

    /// <summary>Waits until the process has been (nearly) idle for a moment: a background flush from the last run must not load the next.</summary>
    public async Task WaitUntilQuietAsync(TimeSpan longest)
    {
        var window = TimeSpan.FromMilliseconds(500);
        var deadline = DateTime.UtcNow + longest;
        while (DateTime.UtcNow < deadline)
        {
            var before = CpuSeconds();
            await Task.Delay(window);
            if ((CpuSeconds() - before) / window.TotalSeconds < 0.03)
            {
                return;
            }
        }
    }

    private long StatusKilobytes(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{ProcessId}/status has no {field}");
    }
}
