using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Benchmarks.Load;

/// <summary>
/// The load benchmark: the published app (the deployed package, Production, API keys and a code secret), on the
/// embedded store and then on Redis + the Cosmos DB emulator, against the in-harness ceiling server,
/// under wrk, each scenario alternating ceiling and app runs.
/// </summary>
internal sealed class LoadHarness(LoadSettings settings) : IAsyncDisposable
{
    /// <summary>What a visitor's browser sends: Chrome on Windows, arriving from a link on another site.</summary>
    private static readonly string[] BrowserHeaders =
    [
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Referer: https://news.ycombinator.com/item?id=42000000",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Accept-Language: en-US,en;q=0.9",
        "Accept-Encoding: gzip, deflate, br",
    ];

    /// <summary>The app as it is deployed: run.sh publishes it with the README's command (ReadyToRun, linux-x64).</summary>
    private static readonly string PublishedApp = Path.Combine(AppProcess.RepositoryRoot, "artifacts", "benchmarks", "app", "UrlShortener.Server.dll");

    /// <summary>The Functions app as published for Azure (run.sh publishes it), started under the tests' fake host.</summary>
    private static readonly string PublishedWorker = Path.Combine(AppProcess.RepositoryRoot, "artifacts", "benchmarks", "worker");

    private readonly string _apiKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly string _codeSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("urlshortener-bench-");
    private readonly List<ScenarioResult> _results = [];
    private readonly List<AppStart> _starts = [];
    private readonly List<ProcessMeter> _backends = [];
    private CeilingServer? _ceiling;

    public async Task<LoadReport> RunAsync()
    {
        if (!File.Exists(PublishedApp))
        {
            throw new InvalidOperationException($"No published app at {PublishedApp}: run the benchmark through tests/UrlShortener.Benchmarks/run.sh, which publishes it.");
        }

        var startedAt = DateTimeOffset.UtcNow;
        _ceiling = await CeilingServer.StartAsync(ChildProcesses.FreePort());
        // Warm the harness's own HTTP client, so that the app's start-up time does not include its JIT.
        using (var warm = new HttpClient())
        {
            (await warm.GetAsync(new Uri(_ceiling.Address, "/warm"))).Dispose();
        }

        if (settings.Backends.Contains("embedded"))
        {
            await RunEmbeddedAsync();
        }

        if (settings.Backends.Contains("cosmos"))
        {
            await RunCosmosAsync();
        }

        if (settings.Backends.Contains("worker"))
        {
            await RunWorkerAsync();
        }

        return new LoadReport(await CommitAsync(), startedAt, Machine(), settings, _starts, _results);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ceiling is not null)
        {
            await _ceiling.DisposeAsync();
        }

        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS.
        }
    }

    private async Task RunEmbeddedAsync()
    {
        const string Backend = "embedded";
        var database = Path.Combine(_work.FullName, "embedded", "urlshortener.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var environment = BaseEnvironment();

        LinkSet links;
        await using (var app = await StartAsync(Backend, "default (L1 cache on)", database, environment))
        {
            links = await SeedAsync(app);
            await RunScenariosAsync(Backend, app, links, TypicalScenarios(Backend, links));
            RecordPeak(app);
        }

        await using (var app = await StartAsync(Backend, "L1 cache off", database, With(environment, ("Shortener__LocalCacheSeconds", "0"))))
        {
            await RunScenariosAsync(Backend, app, links, [StoreRead(Backend, links, "≥ 30 % of the ceiling", r => r.Ratio >= 0.30)]);
            RecordPeak(app);
        }
    }

    private async Task RunCosmosAsync()
    {
        const string Backend = "cosmos+redis";
        await using var redis = await RedisServer.StartAsync();
        await using var cosmos = await CosmosEmulator.StartAsync();
        _backends.AddRange([new ProcessMeter(redis.ProcessId), new ProcessMeter(cosmos.ProcessId)]);
        var database = Path.Combine(_work.FullName, "unused.db");
        var cosmosOnly = With(
            BaseEnvironment(),
            ("Cosmos__ConnectionString", cosmos.ConnectionString),
            ("Cosmos__DatabaseName", "bench"),
            ("Cosmos__DisableServerCertificateValidation", "true"));
        var environment = With(cosmosOnly, ("Redis__ConnectionString", redis.ConnectionString));

        // In Azure the Bicep creates the database and containers and the app starts with Cosmos:CreateResources
        // off. An unmeasured start creates them here, so that the measured starts are the ones Azure sees.
        var provisioning = await AppProcess.StartBuiltAsync(database, With(cosmosOnly, ("Cosmos__CreateResources", "true")), PublishedApp);
        await provisioning.DisposeAsync();

        // The L1-off runs visit 1,000 links at tens of thousands of requests a second: their clicks would be
        // stats patches for 1,000 documents a second, which the single-threaded emulator cannot absorb, and
        // its backlog would load the machine during the ceiling's runs too. These runs measure the read path.
        var readPathOnly = ("Clicks__Enabled", "false");

        LinkSet links;
        await using (var app = await StartAsync(Backend, "default (L1 cache, Redis, Cosmos)", database, environment))
        {
            links = await SeedAsync(app);
            await RunScenariosAsync(Backend, app, links, TypicalScenarios(Backend, links));
            RecordPeak(app);
        }

        await using (var app = await StartAsync(Backend, "L1 cache off, clicks off (Redis, Cosmos)", database, With(environment, ("Shortener__LocalCacheSeconds", "0"), readPathOnly)))
        {
            await RunScenariosAsync(Backend, app, links,
            [
                new Scenario(
                    "Redis-hit redirect",
                    $"GET of {links.Rotating.Count:N0} codes in turn with the L1 cache off: each one a Redis GET (click capture off, see the harness).",
                    new WrkRequest("/", BrowserHeaders, "paths.lua", [links.RotatingPathsFile]),
                    HttpStatusCode.Found,
                    "≥ 50 % of the ceiling",
                    r => r.Ratio >= 0.50),
            ]);
            RecordPeak(app);
        }

        await using (var app = await StartAsync(Backend, "L1 cache off, no Redis, clicks off (Cosmos)", database, With(cosmosOnly, ("Shortener__LocalCacheSeconds", "0"), readPathOnly)))
        {
            await RunScenariosAsync(Backend, app, links, [StoreRead(Backend, links, null, null)]);
            RecordPeak(app);
        }

        _backends.Clear();
    }

    /// <summary>
    /// For reference only: the Functions worker on the embedded store, reached through the tests' fake host, which
    /// routes each request (in this process) and forwards it to the worker's HttpUri while it sends the invocation
    /// over gRPC. So a row measures the worker plus a proxy hop and an invocation message, not the Azure host.
    /// </summary>
    private async Task RunWorkerAsync()
    {
        const string Backend = "worker";
        var data = Directory.CreateDirectory(Path.Combine(_work.FullName, "worker")).FullName;
        var environment = BaseEnvironment();
        environment["Embedded__DatabasePath"] = Path.Combine(data, "urlshortener.db");
        var home = Directory.CreateDirectory(Path.Combine(data, "home")).FullName;
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] starting the worker under the fake host");
        var launched = Stopwatch.StartNew();
        await using var host = await UrlShortener.Web.Tests.Infrastructure.FunctionsHost.FakeFunctionsHost.StartAsync(
            PublishedWorker, environment.ToDictionary(e => e.Key, e => (string?)e.Value), home);
        var front = await host.ServeHttpAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = front };
        (await client.GetAsync("/healthz")).Dispose();
        _starts.Add(new AppStart(Backend, "fake host, launch to first answer", launched.Elapsed.TotalMilliseconds, 0));

        AppUnderLoad worker = new(front, host.WorkerProcessId, client);
        var links = await SeedAsync(worker);
        await RunScenariosAsync(Backend, worker, links, TypicalScenarios(Backend, links).Where(s => s.Name is "hot redirect (L1)" or "unknown code").Select(s => s with { Target = null, Met = null }));
        RecordPeak(worker);
    }

    private List<Scenario> TypicalScenarios(string backend, LinkSet links) =>
    [
        new Scenario(
            "hot redirect (L1)",
            "GET of one short link, click capture on: the in-process cache answers.",
            new WrkRequest("/" + links.Hot, BrowserHeaders),
            HttpStatusCode.Found,
            "≥ 85 % of the ceiling, p99 ≤ 2× the ceiling's",
            r => r.Ratio >= 0.85 && r.AppP99 <= 2 * r.CeilingP99),
        new Scenario(
            "hot redirect with UTM (L1)",
            "GET of one short link with three UTM tags of its own, merged into its destination: the in-process cache answers.",
            new WrkRequest("/" + links.HotUtm, BrowserHeaders),
            HttpStatusCode.Found,
            null,
            null),
        new Scenario(
            "unknown code",
            $"GET of {links.UnknownCount:N0} well-formed codes that no link has, in turn: 404, from the negative cache after the first pass.",
            new WrkRequest("/", BrowserHeaders, "paths.lua", [links.UnknownPathsFile]),
            HttpStatusCode.NotFound,
            null,
            null),
        new Scenario(
            "shorten",
            "POST /api/links with a new destination each time (wrk Lua), with an API key.",
            new WrkRequest("/api/links", ["Content-Type: application/json", "X-Api-Key: " + _apiKey], "shorten.lua", [Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))]),
            HttpStatusCode.Created,
            backend == "embedded" ? "≥ 10,000 links/s" : null,
            backend == "embedded" ? r => r.AppRequestsPerSecond >= 10_000 : null),
        new Scenario(
            "bulk shorten",
            "POST /api/links/bulk with 1,000 new destinations each time (wrk Lua), with an API key: links/s is 1,000 × req/s.",
            new WrkRequest("/api/links/bulk", ["Content-Type: application/json", "X-Api-Key: " + _apiKey], "bulk.lua", [Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))]),
            HttpStatusCode.OK,
            backend == "embedded" ? "≥ 5× shorten's links/s" : null,
            backend == "embedded" ? BulkBeatsSingle : null),
        new Scenario(
            "stats read",
            "GET /api/links/{hot}/stats (the default range: the last 24 hours by hour) of the link the hot run clicked.",
            new WrkRequest($"/api/links/{links.Hot}/stats", ["X-Api-Key: " + _apiKey, "Accept: application/json"]),
            HttpStatusCode.OK,
            null,
            null),
    ];

    // Issue 19's figure: bulk links/s against single creates on the same store; unknown without a shorten row before it.
    private bool? BulkBeatsSingle(ScenarioResult bulk) =>
        _results.FirstOrDefault(r => r.Backend == bulk.Backend && r.Scenario == "shorten") is { } single
            ? bulk.AppRequestsPerSecond * 1000 >= 5 * single.AppRequestsPerSecond
            : null;

    private static Scenario StoreRead(string backend, LinkSet links, string? target, Func<ScenarioResult, bool?>? met) => new(
        "store-read redirect",
        $"GET of {links.Rotating.Count:N0} codes in turn with every cache off: each one a {(backend == "embedded" ? "SQLite read, click capture on" : "Cosmos DB emulator read, click capture off")}.",
        new WrkRequest("/", BrowserHeaders, "paths.lua", [links.RotatingPathsFile]),
        HttpStatusCode.Found,
        target,
        met);

    private async Task RunScenariosAsync(string backend, AppUnderLoad app, LinkSet links, IEnumerable<Scenario> scenarios)
    {
        var ceiling = _ceiling!;
        var appMeter = new ProcessMeter(app.ProcessId);
        var ceilingMeter = new ProcessMeter(Environment.ProcessId);
        foreach (var scenario in scenarios)
        {
            if (settings.Only.Count > 0 && !settings.Only.Any(o => scenario.Name.Contains(o, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {backend} / {scenario.Name}");
            // The ceiling answers the very links the app has, and the stats body the app gives now.
            var stats = await app.Client.SendAsync(ApiRequest(HttpMethod.Get, $"/api/links/{links.Hot}/stats"));
            ceiling.Publish(links.All, await stats.Content.ReadAsByteArrayAsync());
            await CheckAnswerAsync(app.Address, scenario);
            await CheckAnswerAsync(ceiling.Address, scenario);

            await MeasureAsync(ceiling.Address, scenario, ceilingMeter, appMeter, settings.Warmup);
            await MeasureAsync(app.Address, scenario, appMeter, appMeter, settings.Warmup);
            var appRuns = new List<RunFigures>();
            var ceilingRuns = new List<RunFigures>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                ceilingRuns.Add(await MeasureAsync(ceiling.Address, scenario, ceilingMeter, appMeter, settings.Duration));
                appRuns.Add(await MeasureAsync(app.Address, scenario, appMeter, appMeter, settings.Duration));
            }

            var result = new ScenarioResult(backend, scenario.Name, scenario.Description, appRuns, ceilingRuns, scenario.Target, null);
            result = result with { TargetMet = scenario.Met?.Invoke(result) };
            _results.Add(result);
            Console.Error.WriteLine(FormattableString.Invariant(
                $"    app {result.AppRequestsPerSecond:N0} req/s p99 {result.AppP99:0.00} ms · ceiling {result.CeilingRequestsPerSecond:N0} req/s p99 {result.CeilingP99:0.00} ms · {result.Ratio:P0}"));
        }
    }

    /// <summary>One wrk run against <paramref name="target"/>, once the app is quiet (its click aggregation from the last run done).</summary>
    private async Task<RunFigures> MeasureAsync(Uri target, Scenario scenario, ProcessMeter measured, ProcessMeter app, TimeSpan duration)
    {
        // The app, and Redis and the emulator when they run: a flush from the last run must not load the next.
        foreach (var process in _backends.Prepend(app))
        {
            await process.WaitUntilQuietAsync(TimeSpan.FromSeconds(30));
        }

        var cpuBefore = measured.CpuSeconds();
        var backendCpuBefore = _backends.Sum(b => b.CpuSeconds());
        var result = await Wrk.RunAsync(target, scenario.Request, settings, duration, scenario.Expected is HttpStatusCode.NotFound);
        var cpu = measured.CpuSeconds() - cpuBefore;
        var backendCpu = _backends.Sum(b => b.CpuSeconds()) - backendCpuBefore;
        return new RunFigures(result.RequestsPerSecond, result.P50Milliseconds, result.P99Milliseconds, cpu, backendCpu, measured.RssMegabytes(), result.UnexpectedStatuses + result.SocketErrors);
    }

    /// <summary>Before measuring: one request like the scenario's answers as expected on this side.</summary>
    private static async Task CheckAnswerAsync(Uri target, Scenario scenario)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = target };
        var post = scenario.Request.Script is "shorten.lua" or "bulk.lua";
        using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, FirstPath(scenario.Request));
        foreach (var header in scenario.Request.Headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (header[..colon], header[(colon + 1)..].Trim());
            if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (request.Method == HttpMethod.Post)
        {
            request.Content = new StringContent(
                scenario.Request.Script == "bulk.lua" ? """{"links":[{"url":"https://example.com/check"}]}""" : """{"url":"https://example.com/check"}""",
                Encoding.UTF8,
                "application/json");
        }

        using var response = await client.SendAsync(request);
        if (response.StatusCode != scenario.Expected)
        {
            throw new InvalidOperationException($"{scenario.Name}: {target} answered {(int)response.StatusCode} to {request.Method} {request.RequestUri}, not {(int)scenario.Expected}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static string FirstPath(WrkRequest request) =>
        request.Script == "paths.lua" ? File.ReadLines(request.ScriptArguments![0]).First() : request.Path;

    private async Task<AppProcess> StartAsync(string backend, string variant, string database, Dictionary<string, string> environment)
    {
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] starting the app: {backend}, {variant}");
        var app = await AppProcess.StartBuiltAsync(database, environment, PublishedApp);
        _starts.Add(new AppStart(backend, variant, app.StartupTime.TotalMilliseconds, 0));
        return app;
    }

    private void RecordPeak(AppUnderLoad app)
    {
        var peak = new ProcessMeter(app.ProcessId).PeakRssMegabytes();
        _starts[^1] = _starts[^1] with { PeakRssMegabytes = peak };
    }

    /// <summary>Creates the links the scenarios visit, through the API, and the path files wrk cycles through.</summary>
    private async Task<LinkSet> SeedAsync(AppUnderLoad app)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        var hot = await CreateAsync(app, "https://example.com/launch?utm_source=hot", all);

        // The same destination with the link's own UTM tags, merged at redirect time; the ceiling answers the merged URL.
        var hotUtm = await CreateAsync(app, "https://example.com/launch", all, new { source = "newsletter", medium = "email", campaign = "spring" });
        all[hotUtm] = "https://example.com/launch?utm_source=newsletter&utm_medium=email&utm_campaign=spring";
        var rotating = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.RotatingLinks), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var code = await CreateAsync(app, $"https://example.com/catalogue/item-{i}?ref=bench", all);
            lock (rotating)
            {
                rotating.Add(code);
            }
        });

        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "paths-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var rotatingPaths = Path.Combine(folder, "rotating.txt");
        await File.WriteAllLinesAsync(rotatingPaths, rotating.Select(c => "/" + c));

        // Codes of the same shape as real ones that no link has.
        var random = new Random(20261121);
        const int UnknownCount = 1_000;
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        while (unknown.Count < UnknownCount)
        {
            var code = string.Create(7, random, static (span, r) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = Core.Keys.Base62.Alphabet[r.Next(62)];
                }
            });
            if (!all.ContainsKey(code))
            {
                unknown.Add(code);
            }
        }

        var unknownPaths = Path.Combine(folder, "unknown.txt");
        await File.WriteAllLinesAsync(unknownPaths, unknown.Select(c => "/" + c));
        return new LinkSet(hot, hotUtm, rotating, all, rotatingPaths, unknownPaths, UnknownCount);
    }

    private async Task<string> CreateAsync(AppUnderLoad app, string url, Dictionary<string, string> all, object? utm = null)
    {
        using var request = ApiRequest(HttpMethod.Post, "/api/links");
        request.Content = utm is null ? JsonContent.Create(new { url }) : JsonContent.Create(new { url, utm });
        using var response = await app.Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating a link answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var code = body.RootElement.GetProperty("code").GetString()!;
        lock (all)
        {
            all[code] = url;
        }

        return code;
    }

    private HttpRequestMessage ApiRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", _apiKey);
        return request;
    }

    private Dictionary<string, string> BaseEnvironment() => With(
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Shortener__CodeSecret"] = _codeSecret,
            ["Shortener__BaseUrl"] = "https://sho.rt",
            ["Auth__ApiKeys__0__Owner"] = "benchmark",
            ["Auth__ApiKeys__0__KeyHash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_apiKey))),
            ["Auth__ApiKeys__0__Scopes__0"] = "links:write",
            ["Auth__ApiKeys__0__Scopes__1"] = "links:read",
            ["Auth__ApiKeys__0__Scopes__2"] = "stats:read",

            // Limits on, counted on every call, but far above what one client sends here (0 turns them off).
            ["RateLimits__Writes__Quota"] = "10000000",
            ["RateLimits__Reads__Quota"] = "10000000",
            ["RateLimits__UnknownCodes__Quota"] = "10000000",
        },
        [.. settings.AppSettings.Select(s => (s.Key, s.Value))]);

    private static Dictionary<string, string> With(Dictionary<string, string> environment, params (string Name, string Value)[] settings)
    {
        var copy = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            copy[name] = value;
        }

        return copy;
    }

    private static async Task<string> CommitAsync()
    {
        try
        {
            var start = new ProcessStartInfo("git", "describe --always --dirty --abbrev=7")
            {
                WorkingDirectory = AppProcess.RepositoryRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(start)!;
            var commit = (await git.StandardOutput.ReadToEndAsync()).Trim();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown (no git)";
        }
    }

    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores ({model ?? "unknown CPU"}), .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    /// <summary>What a scenario runs against: an address, the process to meter, and a client for the API.</summary>
    private sealed record AppUnderLoad(Uri Address, int ProcessId, HttpClient Client)
    {
        public static implicit operator AppUnderLoad(AppProcess app) => new(app.Address, app.ProcessId, app.Client);
    }

    private sealed record Scenario(string Name, string Description, WrkRequest Request, HttpStatusCode Expected, string? Target, Func<ScenarioResult, bool?>? Met);

    private sealed record LinkSet(
        string Hot,
        string HotUtm,
        IReadOnlyList<string> Rotating,
        IReadOnlyDictionary<string, string> All,
        string RotatingPathsFile,
        string UnknownPathsFile,
        int UnknownCount);
}
