using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace UrlShortener.Web.Dashboard;

/// <summary>
/// The dashboard's static files, embedded in this assembly (see the project file), each held in memory as
/// given, Brotli and gzip, with a strong ETag. Why not the framework's static files or MapStaticAssets: they read
/// files from disk (MapStaticAssets also a build manifest), and the Functions worker serves through named
/// endpoints (<see cref="Hosting.RoutedElsewhere"/>) from a package that carries neither; a dozen files
/// in memory need no more than this.
/// </summary>
public sealed class DashboardFiles
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".txt"] = "text/plain; charset=utf-8",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // Loaded and compressed on the first request for a file, not at start: a start (a cold Functions instance above
    // all) need not pay for a page most instances never serve.
    private readonly Lazy<FrozenDictionary<string, DashboardFile>> _files = new(LoadAll);

    /// <summary>Paths relative to <c>/dashboard/</c>, e.g. <c>index.html</c>, <c>vendor/uplot-1.6.32/uPlot.iife.min.js</c>.</summary>
    public IEnumerable<string> Paths => _files.Value.Keys;

    public DashboardFile? Find(string path) => _files.Value.GetValueOrDefault(path);

    private static FrozenDictionary<string, DashboardFile> LoadAll()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToFrozenDictionary(name => name[ResourcePrefix.Length..], name => Load(assembly, name), StringComparer.Ordinal);
    }

    private static DashboardFile Load(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        var content = bytes.ToArray();
        var extension = Path.GetExtension(name);
        var contentType = ContentTypes.GetValueOrDefault(extension, "application/octet-stream");
        var compressible = contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "image/svg+xml" or "application/json";
        return new DashboardFile(
            content,
            compressible ? Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize)) : null,
            compressible ? Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize)) : null,
            contentType,
            "\"" + Convert.ToBase64String(SHA256.HashData(content), 0, 18).Replace('+', '-').Replace('/', '_') + "\"",
            // A vendored library's folder is named after its version: it never changes under that name.
            Immutable: name.StartsWith(ResourcePrefix + "vendor/", StringComparison.Ordinal));
    }

    private static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressing = compressor(output))
        {
            compressing.Write(content);
        }

        return output.ToArray();
    }
}

/// <summary>One file of the dashboard: its bytes, compressed forms (null when not worth it), media type and ETag.</summary>
public sealed record DashboardFile(byte[] Content, byte[]? Brotli, byte[]? Gzip, string ContentType, string ETag, bool Immutable);
