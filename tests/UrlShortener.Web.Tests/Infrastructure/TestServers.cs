using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, no persistence. <see cref="Shared"/> is started
/// once per test run; tests that stop and start Redis start their own.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task<RedisServer>> SharedServer = new(() => StartAsync());
    private readonly string[] _arguments;
    private Process? _process;

    private RedisServer(int port, string[] arguments)
    {
        Port = port;
        _arguments = arguments;
    }

    public static Task<RedisServer> Shared => SharedServer.Value;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running.");

    public static async Task<RedisServer> StartAsync(params string[] arguments)
    {
        var server = new RedisServer(ChildProcesses.FreePort(), arguments);
        await server.RestartAsync();
        return server;
    }

    /// <summary>
    /// A server where only ACL users get in: <c>default</c> has a password of its own, and <paramref name="user"/> may
    /// use the keys under <c>urlshortener:</c> with <paramref name="password"/>.
    /// </summary>
    public static Task<RedisServer> StartWithAclUserAsync(string user, string password) =>
        StartAsync("--user", "default", "on", ">admin-only", "~*", "&*", "+@all", "--user", user, "on", $">{password}", "~urlshortener:*", "&*", "+@all", "-@admin");

    /// <summary>Starts (again) on the same port.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(ChildProcesses.Require("redis-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" }.Concat(_arguments))
        {
            start.ArgumentList.Add(argument);
        }

        _process = ChildProcesses.Start(start);
        await ChildProcesses.WaitForPortAsync(Port, _process, "redis-server");
    }

    /// <summary>Kills the server, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// <c>CLIENT PAUSE … ALL</c>: Redis keeps every connection open and answers nothing until the pause ends,
    /// as a server that hangs would.
    /// </summary>
    public async Task PauseAsync(TimeSpan duration)
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        var reply = await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
        if (reply.ToString() != "OK")
        {
            throw new InvalidOperationException($"CLIENT PAUSE answered {reply}.");
        }
    }

    /// <summary><c>INFO stats</c> keyspace_hits: how often Redis answered a GET with a value.</summary>
    public async Task<long> KeyspaceHitsAsync()
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        var stats = await admin.GetServer(ConnectionString).InfoAsync("stats");
        return long.Parse(stats.SelectMany(g => g).Single(p => p.Key == "keyspace_hits").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>
/// The Cosmos DB emulator (<c>tests/cosmos-emulator</c>: @vercel/cosmosdb-server with the read fix)
/// on a free loopback port, started once per test run. Each app fixture uses a database of its own.
/// </summary>
public sealed class CosmosEmulator : IAsyncDisposable
{
    private static readonly Lazy<Task<CosmosEmulator>> SharedEmulator = new(StartAsync);
    private readonly Process _process;

    private CosmosEmulator(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    public static Task<CosmosEmulator> Shared => SharedEmulator.Value;

    public int Port { get; }

    public int ProcessId => _process.Id;

    /// <summary>The emulator takes any key; this one is base64 like a real one.</summary>
    public string ConnectionString => $"AccountEndpoint=https://127.0.0.1:{Port}/;AccountKey=dGhlLWVtdWxhdG9yLWFjY2VwdHMtYW55LWtleQ==;";

    /// <summary>Kills the emulator, as an outage would; everything it held is gone.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the emulator without killing it (SIGSTOP), as a hung server or a lost network would: connections open, nothing answers.</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    public async ValueTask DisposeAsync()
    {
        Thaw();
        await StopAsync();
    }

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    /// <summary>A private emulator, for a test that stops it.</summary>
    public static async Task<CosmosEmulator> StartAsync()
    {
        var folder = Path.Combine(AppProcess.RepositoryRoot, "tests", "cosmos-emulator");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@vercel", "cosmosdb-server")))
        {
            throw new InvalidOperationException($"The Cosmos DB emulator is not installed: run ./test.sh (it runs `npm ci` in {folder}).");
        }

        var port = ChildProcesses.FreePort();
        var start = new ProcessStartInfo(ChildProcesses.Require("node"))
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("server.js");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = ChildProcesses.Start(start);
        await ChildProcesses.WaitForPortAsync(port, process, "the Cosmos DB emulator");
        return new CosmosEmulator(port, process);
    }
}

/// <summary>Child processes of the test run: started on free ports, killed when the run ends.</summary>
internal static class ChildProcesses
{
    private static readonly List<Process> Started = [];

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (Started)
        {
            Started.Add(process);
        }

        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Require(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{program}' is not installed: run ./test.sh, which installs what the tests need.");
    }

    public static async Task WaitForPortAsync(int port, Process process, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before listening on port {port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"{name} did not listen on port {port} within 30 s.");
    }

    private static void KillAll()
    {
        lock (Started)
        {
            foreach (var process in Started.Where(p => !p.HasExited))
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
