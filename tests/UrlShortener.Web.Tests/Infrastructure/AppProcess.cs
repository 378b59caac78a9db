using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// The app as a real process, started with the README's command
/// (<c>dotnet run --project src/UrlShortener.Server</c>, without rebuilding) on a free loopback port.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = address };
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>How long the process took from start to its first answered request.</summary>
    public TimeSpan StartupTime { get; private set; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Starts the app with the README's run command and waits for <c>/healthz</c> to answer.</summary>
    public static Task<AppProcess> StartAsync(string databasePath, IDictionary<string, string>? environment = null) =>
        StartAsync(databasePath, environment, RunCommand());

    /// <summary>
    /// Starts the built app the way a host does (<c>dotnet UrlShortener.Server.dll</c>), with no launch profile:
    /// the build output, or the app at <paramref name="appPath"/> (a published package).
    /// </summary>
    public static Task<AppProcess> StartBuiltAsync(string databasePath, IDictionary<string, string> environment, string? appPath = null) =>
        StartAsync(databasePath, environment, appPath is null ? BuiltAppCommand() : AppCommand(appPath));

    /// <summary>The built app started from <paramref name="workingDirectory"/>, as a service manager may start it from anywhere.</summary>
    public static Task<AppProcess> StartBuiltFromAsync(string workingDirectory, string databasePath, IDictionary<string, string> environment)
    {
        var start = BuiltAppCommand();
        start.WorkingDirectory = workingDirectory;
        return StartAsync(databasePath, environment, start);
    }

    private static async Task<AppProcess> StartAsync(string databasePath, IDictionary<string, string>? environment, ProcessStartInfo start)
    {
        var port = FreePort();
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Embedded__DatabasePath"] = databasePath;
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await app.Client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    app.StartupTime = stopwatch.Elapsed;
                    return app;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        var output = app.Output;
        await app.DisposeAsync();
        var why = process.HasExited ? $"exited with code {process.ExitCode}" : "did not answer /healthz within 60 s";
        throw new InvalidOperationException($"The app {why}. Its output:\n{output}");
    }

    /// <summary>
    /// Runs the built app (<c>dotnet UrlShortener.Server.dll</c>, as a host would) with
    /// <paramref name="environment"/> until it exits; for configurations it must refuse.
    /// </summary>
    /// <returns>Its exit code and everything it wrote.</returns>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(IDictionary<string, string> environment)
    {
        var start = BuiltAppCommand();
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{FreePort()}");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The app kept running: it should have refused this configuration.");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>Ends the process at once, as a crash would.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo RunCommand()
    {
        var start = Command(RepositoryRoot);
        foreach (var argument in new[] { "run", "--no-build", "--configuration", BuildConfiguration(), "--project", "src/UrlShortener.Server", "--" })
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static ProcessStartInfo BuiltAppCommand() =>
        AppCommand(Path.Combine(RepositoryRoot, "src", "UrlShortener.Server", "bin", BuildConfiguration(), "net10.0", "UrlShortener.Server.dll"));

    private static ProcessStartInfo AppCommand(string app)
    {
        var start = Command(Path.GetDirectoryName(app)!);
        start.ArgumentList.Add(app);
        return start;
    }

    private static ProcessStartInfo Command(string workingDirectory) => new("dotnet")
    {
        WorkingDirectory = workingDirectory,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Tests run from tests/X/bin/<Configuration>/net10.0/: the app was built in the same configuration.
    private static string BuildConfiguration() =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "UrlShortener.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("UrlShortener.sln not found above the test binaries.");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
