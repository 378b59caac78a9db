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
/// infra/ checked from its text (no Bicep CLI here): app settings against what the app binds and the host
/// reads, containers and queue against the code, and no secret written down.
/// </summary>
public sealed partial class InfraTests
{
    private static readonly string Infra = Path.Combine(AppProcess.RepositoryRoot, "infra");

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
        "AzureWebJobsStorage__", "ServiceBusConnection__", "APPLICATIONINSIGHTS_", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "AZURE_CLIENT_ID",
    ];

    // What the app needs in Azure mode (Cosmos, Redis, Service Bus, keys) and the host needs to run it.
    private static readonly string[] Required =
    [
        "Shortener__CodeSecret", "Cosmos__AccountEndpoint", "Cosmos__DatabaseName", "Redis__ConnectionString",
        "ServiceBus__FullyQualifiedNamespace", "ServiceBus__QueueName", "Auth__ApiKeys__0__Owner", "Auth__ApiKeys__0__KeyHash",
        "Auth__ApiKeys__0__Scopes__0", "AZURE_CLIENT_ID", "AzureWebJobsStorage__accountName", "ServiceBusConnection__fullyQualifiedNamespace",
    ];

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
        foreach (var file in Directory.GetFiles(Infra, "*", SearchOption.AllDirectories).Append(Path.Combine(AppProcess.RepositoryRoot, "local.settings.sample.json")))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotMatch(SecretLiteral(), text);
            Assert.DoesNotMatch(HexKeyHash(), text);
        }

        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        Assert.Matches(@"@secure\(\)\s+param codeSecret string", main);
        Assert.Contains("'@Microsoft.KeyVault(SecretUri=${keyVault.outputs.codeSecretUri})'", main, StringComparison.Ordinal);
        Assert.Contains("'@Microsoft.KeyVault(SecretUri=${redis.outputs.secretUri})'", main, StringComparison.Ordinal);
        var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppProcess.RepositoryRoot, "local.settings.sample.json"))).RootElement.GetProperty("Values");
        Assert.Equal(string.Empty, sample.GetProperty("Shortener__CodeSecret").GetString());
    }

    /// <summary>Every app setting name in infra/, with loop indexes (${i}, ${j}) read as 0.</summary>
    private static HashSet<string> AppSettingNames() =>
        Directory.GetFiles(Infra, "*.bicep", SearchOption.AllDirectories)
            .SelectMany(f => SettingName().Matches(File.ReadAllText(f)))
            .Select(m => IndexPlaceholder().Replace(m.Groups[1].Value, "0"))
            .ToHashSet(StringComparer.Ordinal);

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

    [GeneratedRegex(@"\{\s*name:\s*'([A-Za-z0-9_${}]+)'\s*,\s*value:")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"\$\{[ij]\}")]
    private static partial Regex IndexPlaceholder();

    // Keys written out: account keys, SAS keys, passwords that are not computed (${...}).
    [GeneratedRegex(@"(AccountKey|SharedAccessKey|password)=(?!\$\{)[^;'""\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLiteral();

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex HexKeyHash();
}
