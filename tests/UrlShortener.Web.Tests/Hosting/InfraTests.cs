using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using UrlShortener.Caching.Redis;
using UrlShortener.Core.Clicks;
using UrlShortener.Messaging.ServiceBus;
using UrlShortener.Storage.Cosmos;
using UrlShortener.Web.Auth;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Hosting;

/// <summary>
/// infra/ compiled and linted with the Bicep CLI, and its ARM JSON checked against the code: app settings against
/// what the app binds and the host reads, a role for every data-plane call, containers and queue against the
/// code, and no secret written down.
/// </summary>
public sealed partial class InfraTests
{
    private static readonly string Infra = Path.Combine(AppProcess.RepositoryRoot, "infra");
    private static readonly string SampleSettings = Path.Combine(AppProcess.RepositoryRoot, "src", "UrlShortener.Functions", "local.settings.sample.json");

    // Options sections the app binds, by their configuration section name.
    private static readonly Dictionary<string, Type> Sections = new()
    {
        [Hosting_ShortenerSection] = typeof(UrlShortener.Web.Hosting.ShortenerOptions),
        [CosmosOptions.Section] = typeof(CosmosOptions),
        [RedisOptions.Section] = typeof(RedisOptions),
        [ServiceBusOptions.Section] = typeof(ServiceBusOptions),
        [AuthOptions.Section] = typeof(AuthOptions),
    };

    // Read by the Functions host or by Azure SDK libraries, not by our options.
    private static readonly string[] HostSettingPrefixes =
    [
        "AzureWebJobsStorage__", "APPLICATIONINSIGHTS_", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "AZURE_CLIENT_ID",
    ];

    // What the app needs in Azure mode (Cosmos, Redis, Service Bus, keys) and the host needs to run it.
    private static readonly string[] Required =
    [
        "Shortener__CodeSecret", "Cosmos__AccountEndpoint", "Cosmos__DatabaseName", "Redis__ConnectionString",
        "ServiceBus__FullyQualifiedNamespace", "ServiceBus__QueueName", "Auth__ApiKeys__0__Owner", "Auth__ApiKeys__0__KeyHash",
        "Auth__ApiKeys__0__Scopes__0", "AZURE_CLIENT_ID", "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    // Every data-plane call the app (or its host) makes with the identity, and the role that allows it, on what.
    private static readonly (string Call, string Role, string Scope)[] DataPlaneRoles =
    [
        ("ServiceBusClickPublisher sends click batches", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "Microsoft.ServiceBus/namespaces"),
        ("ServiceBusClickQueue receives, completes, abandons and dead-letters", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "Microsoft.ServiceBus/namespaces"),
        ("the host's storage: the timer's schedule and lock, the Flex package", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts"),
        ("Key Vault references: the code secret, the Redis connection", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults"),
        ("telemetry to Application Insights with local auth off", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components"),
        ("the Cosmos DB stores: item reads, writes, patches, queries", "00000000-0000-0000-0000-000000000002", "Microsoft.DocumentDB/databaseAccounts"),
    ];

    private static readonly Lazy<(int ExitCode, string Json, string Errors)> Compiled = new(() => Bicep("build", Path.Combine(Infra, "main.bicep"), "--stdout"));

    [Fact]
    public void The_bicep_compiles_and_lints_with_no_error_and_no_warning()
    {
        var (buildExit, json, buildErrors) = Compiled.Value;
        Assert.True(buildExit == 0, buildErrors);
        Assert.Equal(string.Empty, buildErrors.Trim());
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(json).RootElement.ValueKind);

        var (lintExit, lintOutput, lintErrors) = Bicep("lint", Path.Combine(Infra, "main.bicep"));
        Assert.True(lintExit == 0, lintOutput + lintErrors);
        Assert.Equal(string.Empty, (lintOutput + lintErrors).Trim());
    }

    [Fact]
    public void Every_data_plane_call_has_its_role_for_the_apps_identity_and_there_is_no_other()
    {
        var template = JsonDocument.Parse(Compiled.Value.Json).RootElement;
        var roles = Module(template, "roles");
        var roleIds = roles.GetProperty("variables").GetProperty("roles").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var assigned = Resources(roles)
            .Where(r => r.GetProperty("type").GetString()!.EndsWith("roleAssignments", StringComparison.OrdinalIgnoreCase))
            .Select(r =>
            {
                var properties = r.GetProperty("properties");
                var definition = properties.GetProperty("roleDefinitionId").GetString()!;
                var role = roleIds.Single(id => definition.Contains($"variables('roles').{id.Key}", StringComparison.Ordinal)).Value;
                Assert.Equal("[parameters('principalId')]", properties.GetProperty("principalId").GetString());
                var scope = r.TryGetProperty("scope", out var s) ? s.GetString()! : r.GetProperty("type").GetString()!;
                return (Role: role, Scope: scope);
            })
            .ToList();

        foreach (var (call, role, scope) in DataPlaneRoles)
        {
            Assert.True(assigned.Any(a => a.Role == role && a.Scope.Contains(scope, StringComparison.Ordinal)), $"no role {role} on {scope} for: {call}");
        }

        Assert.Equal(DataPlaneRoles.Length, assigned.Count);
    }

    [Fact]
    public void The_function_app_runs_the_isolated_worker_on_dotnet_10_on_either_plan()
    {
        var site = Resources(Module(JsonDocument.Parse(Compiled.Value.Json).RootElement, "functionApp"))
            .Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites").GetProperty("properties");
        var text = site.GetRawText();
        Assert.Contains("'name', 'dotnet-isolated', 'version', '10.0'", text, StringComparison.Ordinal);
        Assert.Contains("DOTNET-ISOLATED|10.0", text, StringComparison.Ordinal);
        Assert.Contains("'FUNCTIONS_WORKER_RUNTIME', 'value', 'dotnet-isolated'", Compiled.Value.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("custom", text, StringComparison.OrdinalIgnoreCase);
    }

    private const string Hosting_ShortenerSection = UrlShortener.Web.Hosting.ShortenerOptions.Section;

    [Fact]
    public void Every_setting_the_app_reads_in_azure_is_set_by_infra_and_every_setting_infra_sets_is_read()
    {
        var settings = AppSettingNames();

        foreach (var name in Required)
        {
            Assert.Contains(name, settings);
        }

        foreach (var name in settings)
        {
            Assert.True(HostSettingPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) || IsBoundByTheApp(name), $"infra sets '{name}', which neither the app nor the host reads");
        }
    }

    [Fact]
    public void Infra_creates_every_cosmos_container_the_app_uses_with_its_partition_key_and_the_clicks_queue()
    {
        var cosmos = File.ReadAllText(Path.Combine(Infra, "modules", "cosmos.bicep"));
        foreach (var (container, partitionKey) in CosmosDatabase.ContainerPartitionKeys)
        {
            Assert.Matches($"name: '{container}', partitionKey: '{partitionKey}'", cosmos);
            var ttl = CosmosDatabase.ContainersWithTimeToLive.Contains(container) ? "-1" : "null";
            Assert.Matches($"name: '{container}', partitionKey: '{Regex.Escape(partitionKey)}', defaultTtl: {ttl} ", cosmos);
        }

        Assert.Contains("disableLocalAuth: true", cosmos, StringComparison.Ordinal);
        Assert.Contains("EnableServerless", cosmos, StringComparison.Ordinal);
        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        Assert.Contains($"var queueName = '{new ServiceBusOptions().QueueName}'", main, StringComparison.Ordinal);
        Assert.Contains("requiresDuplicateDetection: true", File.ReadAllText(Path.Combine(Infra, "modules", "servicebus.bicep")), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_delivery_of_a_click_message_falls_within_the_window_the_stats_store_remembers_it()
    {
        var queue = File.ReadAllText(Path.Combine(Infra, "modules", "servicebus.bicep"));
        var lockDuration = XmlConvert.ToTimeSpan(Regex.Match(queue, @"lockDuration: '(?<d>[^']+)'").Groups["d"].Value);
        var maxDeliveryCount = int.Parse(Regex.Match(queue, @"maxDeliveryCount: (?<n>\d+)").Groups["n"].Value, CultureInfo.InvariantCulture);

        // After the attempt that applied it, a message can come back at most maxDeliveryCount - 1 times, a lock apart.
        Assert.True(lockDuration * maxDeliveryCount < IStatsStore.RedeliveryWindow, $"{maxDeliveryCount} deliveries of {lockDuration} outlast {IStatsStore.RedeliveryWindow}.");
    }

    [Fact]
    public void No_secret_is_written_in_infra_or_the_sample_settings()
    {
        foreach (var file in Directory.GetFiles(Infra, "*", SearchOption.AllDirectories).Append(SampleSettings).Append(Path.Combine(AppProcess.RepositoryRoot, "azure.yaml")))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(SecretLiteral(), text);
            Assert.DoesNotMatch(HexKeyHash(), text);
        }

        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        Assert.Matches(@"@secure\(\)\s+param codeSecret string", main);
        Assert.Contains("'@Microsoft.KeyVault(SecretUri=${keyVault.outputs.codeSecretUri})'", main, StringComparison.Ordinal);
        Assert.Contains("'@Microsoft.KeyVault(SecretUri=${redis.outputs.secretUri})'", main, StringComparison.Ordinal);
        var sample = JsonDocument.Parse(File.ReadAllText(SampleSettings)).RootElement.GetProperty("Values");
        Assert.Equal(string.Empty, sample.GetProperty("Shortener__CodeSecret").GetString());
        Assert.Equal("dotnet-isolated", sample.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());

        // What the compiled template holds: the code secret as a secure parameter with no default, local auth off.
        var template = JsonDocument.Parse(Compiled.Value.Json).RootElement;
        var codeSecret = template.GetProperty("parameters").GetProperty("codeSecret");
        Assert.Equal("securestring", codeSecret.GetProperty("type").GetString(), ignoreCase: true);
        Assert.False(codeSecret.TryGetProperty("defaultValue", out _));
        Assert.DoesNotMatch(SecretLiteral(), Compiled.Value.Json);
        Assert.DoesNotMatch(HexKeyHash(), Compiled.Value.Json);
        Assert.Contains("\"allowSharedKeyAccess\": false", Compiled.Value.Json, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(Compiled.Value.Json, "\"disableLocalAuth\": true"));
    }

    /// <summary>
    /// Every app setting name in the compiled template: literal <c>{name, value}</c> objects, and the names of
    /// <c>createObject('name', …)</c> expressions, with loop indexes (<c>{0}</c>) read as 0.
    /// </summary>
    private static HashSet<string> AppSettingNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var properties = element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                    if (properties.SequenceEqual(["name", "value"]) && element.GetProperty("name").GetString() is { } name && !name.StartsWith('['))
                    {
                        names.Add(name);
                    }

                    foreach (var property in element.EnumerateObject())
                    {
                        Walk(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                case JsonValueKind.String:
                    foreach (Match match in SettingExpression().Matches(element.GetString()!))
                    {
                        names.Add(IndexPlaceholder().Replace(match.Groups["name"].Value, "0"));
                    }

                    break;
            }
        }

        Walk(JsonDocument.Parse(Compiled.Value.Json).RootElement);
        return names;
    }

    private static JsonElement Module(JsonElement template, string name) =>
        Resources(template).Single(r => r.GetProperty("name").GetString() == name).GetProperty("properties").GetProperty("template");

    // Symbolic-name templates keep resources in an object, others in an array.
    private static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);
    }

    /// <summary>Runs the Bicep CLI of the PackageDownload (tests/UrlShortener.Web.Tests.csproj).</summary>
    private static (int ExitCode, string Output, string Errors) Bicep(params string[] arguments)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cli = Path.Combine(packages, "azure.bicep.commandline.linux-x64", "0.49.2", "tools", "bicep");
        Assert.True(File.Exists(cli), $"The Bicep CLI is not at {cli}: restore the test project.");

        // NuGet does not keep the file's execute bit.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cli, File.GetUnixFileMode(cli) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        var start = new System.Diagnostics.ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Offline: no registry or update checks.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    /// <summary>True when configuration binding would put <paramref name="name"/> on a property of one of our options.</summary>
    private static bool IsBoundByTheApp(string name)
    {
        var parts = name.Split("__");
        if (!Sections.TryGetValue(parts[0], out var type))
        {
            return false;
        }

        foreach (var part in parts.Skip(1))
        {
            if (int.TryParse(part, out _) && type.IsGenericType)
            {
                type = type.GetGenericArguments()[0];
                continue;
            }

            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    [GeneratedRegex(@"createObject\('name', (?:format\('(?<name>[A-Za-z0-9_{}]+)'|'(?<name>[A-Za-z0-9_]+)', 'value')")]
    private static partial Regex SettingExpression();

    [GeneratedRegex(@"\{[0-9]\}")]
    private static partial Regex IndexPlaceholder();

    // Keys written out: account keys, SAS keys, passwords that are not computed (${...}).
    [GeneratedRegex(@"(AccountKey|SharedAccessKey|password)=(?!\$\{|\{[0-9]\})[^;'""\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLiteral();

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex HexKeyHash();
}
