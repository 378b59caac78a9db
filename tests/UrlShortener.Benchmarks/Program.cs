using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using UrlShortener.Benchmarks.Load;
using UrlShortener.Web.Tests.Infrastructure;

// tests/UrlShortener.Benchmarks/run.sh [all|load|micro] [options]: see the README's "Benchmarks".
var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "all";
var options = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
var artifacts = Path.Combine(AppProcess.RepositoryRoot, "artifacts", "benchmarks");
Directory.CreateDirectory(artifacts);

switch (command)
{
    case "load":
        await RunLoadAsync(options);
        break;
    case "micro":
        RunMicro(options);
        break;
    case "all":
        await RunLoadAsync(options);
        RunMicro([]);
        break;
    default:
        Console.Error.WriteLine("Usage: run.sh [all|load|micro] [options]. load: --quick, --duration S, --rounds N, --backend embedded,cosmos, --only NAME, --out FILE. micro: BenchmarkDotNet's (--filter '*Code*').");
        return 2;
}

return 0;

async Task RunLoadAsync(string[] loadArgs)
{
    var settings = LoadSettings.Parse(loadArgs);
    settings = settings with { OutputPath = settings.OutputPath ?? Path.Combine(artifacts, $"load-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json") };
    await using var harness = new LoadHarness(settings);
    var report = await harness.RunAsync();
    Console.WriteLine();
    Console.WriteLine(report.ToTable());
    await File.WriteAllTextAsync(settings.OutputPath, report.ToJson());
    Console.WriteLine($"JSON: {settings.OutputPath}");
}

void RunMicro(string[] microArgs)
{
    // In process: BenchmarkDotNet's default toolchain generates and builds a project, which the
    // repository's central package management would refuse.
    var config = ManualConfig.CreateMinimumViable()
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.OperationsPerSecond)
        .WithArtifactsPath(Path.Combine(artifacts, "micro"));
    BenchmarkSwitcher.FromAssembly(typeof(LoadHarness).Assembly).Run(microArgs.Length > 0 ? microArgs : ["--filter", "*"], config);
}
