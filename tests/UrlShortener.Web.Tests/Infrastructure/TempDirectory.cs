using Microsoft.Data.Sqlite;

namespace UrlShortener.Web.Tests.Infrastructure;

/// <summary>A fresh folder for a test's files; deleted afterwards, once SQLite has let go of them.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string purpose) => Path = Directory.CreateTempSubdirectory($"urlshortener-{purpose}-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
