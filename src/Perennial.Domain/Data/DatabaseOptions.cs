namespace Perennial.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from the <c>Perennial:Database</c> settings section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Perennial:Database";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Empty for SQLite means <c>{data}/perennial.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Apply pending migrations when the server starts. Unset means yes for SQLite (one process owns
    /// the file) and no for PostgreSQL, where <c>perennial db migrate</c> runs once per upgrade.
    /// </summary>
    public bool? MigrateOnStart { get; set; }

    public DatabaseProvider ParsedProvider => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => throw new InvalidOperationException(
            $"Setting Perennial:Database:Provider has the value '{Provider}'; use 'sqlite' or 'postgres'."),
    };
}
