using System.Reflection;
using System.Xml.Linq;
using UrlShortener.Web.Tests.Infrastructure;

namespace UrlShortener.Web.Tests.Architecture;

/// <summary>The direction of dependencies: Core depends on nothing, each adapter on Core and its own SDK, the HTTP surface on no SDK.</summary>
public sealed class ProjectReferenceTests
{
    private static readonly string[] Adapters = ["UrlShortener.Storage.Sqlite", "UrlShortener.Storage.Cosmos", "UrlShortener.Caching.Redis", "UrlShortener.Messaging.ServiceBus"];

    // Every SDK of an outside system, by the assemblies that would show it is used.
    private static readonly string[] SdkAssemblies = ["Microsoft.Data.Sqlite", "SQLitePCLRaw.core", "Microsoft.Azure.Cosmos.Client", "Azure.Core", "Azure.Identity", "StackExchange.Redis", "Azure.Messaging.ServiceBus", "Microsoft.Azure.Amqp", "OpenTelemetry", "Azure.Monitor.OpenTelemetry.Exporter"];

    [Fact]
    public void Core_references_no_package_and_no_project()
    {
        var project = Project("UrlShortener.Core");

        Assert.Empty(References(project, "PackageReference"));
        Assert.Empty(References(project, "ProjectReference"));
        Assert.Empty(References(project, "FrameworkReference"));
    }

    [Fact]
    public void Each_adapter_references_core_only_among_the_projects()
    {
        foreach (var adapter in Adapters)
        {
            Assert.Equal(["UrlShortener.Core"], References(Project(adapter), "ProjectReference"));
        }

        Assert.Empty(References(Project("UrlShortener.Telemetry"), "ProjectReference"));
    }

    [Fact]
    public void The_http_project_references_no_sdk_of_an_outside_system()
    {
        var packages = References(Project("UrlShortener.Web"), "PackageReference");

        // QRCoder draws the QR codes in memory: a library, not a client of an outside system.
        Assert.Equal(["Microsoft.AspNetCore.OpenApi", "Microsoft.OpenApi", "Polly.Core", "QRCoder"], packages.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_compiled_http_surface_and_core_use_no_sdk_type()
    {
        // The adapters keep their SDK's compile assets private: a type of it named outside would not compile,
        // and whatever compiled shows in the assembly's references.
        foreach (var assembly in new[] { typeof(Web.Hosting.UrlShortenerServices).Assembly, typeof(Core.Links.ShortLink).Assembly })
        {
            var referenced = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain(referenced, SdkAssemblies.Contains);
        }
    }

    [Fact]
    public void No_adapter_assembly_references_another_adapter_or_the_http_project()
    {
        foreach (var adapter in Adapters)
        {
            var referenced = Assembly.Load(adapter).GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain(referenced, name => name != adapter && (Adapters.Contains(name) || name == "UrlShortener.Web"));
        }
    }

    private static XDocument Project(string name) =>
        XDocument.Load(Path.Combine(AppProcess.RepositoryRoot, "src", name, name + ".csproj"));

    private static List<string> References(XDocument project, string kind) =>
        [.. project.Descendants(kind).Select(e => e.Attribute("Include")!.Value)
            .Select(include => kind == "ProjectReference" ? Path.GetFileNameWithoutExtension(include.Replace('\\', '/')) : include)];
}
