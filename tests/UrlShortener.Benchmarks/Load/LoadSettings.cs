using System.Globalization;

namespace UrlShortener.Benchmarks.Load;

/// <summary>The load run's knobs, from the command line.</summary>
internal sealed record LoadSettings
{
    public int Threads { get; init; } = 2;

    public int Connections { get; init; } = 64;

    /// <summary>Length of one measured wrk run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured run before a scenario's rounds, on each side: the JIT's tiers settle.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Measured (ceiling, app) pairs per scenario; the pairs alternate so that drift falls on both.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>"embedded", "cosmos", or both.</summary>
    public IReadOnlySet<string> Backends { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "embedded", "cosmos", "worker" };

    /// <summary>Only the scenarios whose name contains one of these (all when empty).</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Where the JSON report goes.</summary>
    public string? OutputPath { get; init; }

    /// <summary>How many links the rotating scenarios (store read, Redis hit) cycle through.</summary>
    public int RotatingLinks { get; init; } = 1000;

    /// <summary>Extra app settings (<c>--set Clicks__Enabled=false</c>), for trying a change before making it.</summary>
    public IReadOnlyDictionary<string, string> AppSettings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static LoadSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new LoadSettings();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--quick" => settings with { Duration = TimeSpan.FromSeconds(5), Warmup = TimeSpan.FromSeconds(2), Rounds = 1 },
                "--duration" => settings with { Duration = TimeSpan.FromSeconds(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--rounds" => settings with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--threads" => settings with { Threads = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--connections" => settings with { Connections = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--backend" => settings with { Backends = new HashSet<string>(Value().Split(','), StringComparer.Ordinal) },
                "--only" => settings with { Only = Value().Split(',') },
                "--out" => settings with { OutputPath = Value() },
                "--set" => settings with { AppSettings = WithSetting(settings.AppSettings, Value()) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --quick, --duration S, --warmup S, --rounds N, --threads N, --connections N, --backend embedded,cosmos, --only NAME[,NAME], --set NAME=VALUE, --out FILE."),
            };
        }

        if (settings.Rounds < 1 || settings.Duration < TimeSpan.FromSeconds(1) || !settings.Backends.IsSubsetOf(["embedded", "cosmos", "worker"]))
        {
            throw new ArgumentException("--rounds must be at least 1, --duration at least 1 s, --backend embedded and/or cosmos.");
        }

        return settings;
    }

    private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals < 1)
        {
            throw new ArgumentException($"--set takes NAME=VALUE (got '{assignment}').");
        }

        return new Dictionary<string, string>(settings, StringComparer.Ordinal) { [assignment[..equals]] = assignment[(equals + 1)..] };
    }
}
