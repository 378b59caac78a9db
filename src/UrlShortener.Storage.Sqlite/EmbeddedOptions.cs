namespace UrlShortener.Storage.Sqlite;

/// <summary>The <c>Embedded</c> configuration section: the SQLite database of the default backend.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Embedded";

    /// <summary>The database file; relative paths are under the content root. Default: data/urlshortener.db.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "urlshortener.db");
}
