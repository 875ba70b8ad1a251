using Microsoft.Data.Sqlite;
using Npgsql;
using Perennial.Data;

namespace Perennial.Benchmarks;

/// <summary>
/// A fresh, empty database for one run: a SQLite file in a temporary folder, or a new PostgreSQL
/// database on the server named by <c>PERENNIAL_TEST_POSTGRES</c> (the tests' variable).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "PERENNIAL_TEST_POSTGRES";
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=perennial;Password=perennial;Database=postgres;Timeout=10";

    private readonly string? postgresAdmin;

    private BenchDatabase(DatabaseProvider provider, string connectionString, string directory, string? postgresAdmin, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = directory;
        this.postgresAdmin = postgresAdmin;
        PostgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }
    public string? PostgresName { get; }
    public string ProviderName => Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";

    /// <summary>Leave the database in place after the run, to look at query plans.</summary>
    public bool Keep { get; set; }

    public static async Task<BenchDatabase> CreateAsync(DatabaseProvider provider)
    {
        var directory = Directory.CreateTempSubdirectory("perennial-bench-").FullName;
        if (provider == DatabaseProvider.Sqlite)
        {
            // Pooled, as the app's own default SQLite connection string is.
            var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "perennial.db"), Pooling = true }.ToString();
            return new BenchDatabase(provider, cs, directory, null, null);
        }

        var admin = Environment.GetEnvironmentVariable(PostgresVariable) ?? DefaultPostgres;
        var name = "perennial_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            await command.ExecuteNonQueryAsync();
        }

        var pg = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ToString();
        return new BenchDatabase(provider, pg, directory, admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (Keep)
        {
            return;
        }

        if (postgresAdmin is not null && PostgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(postgresAdmin);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP DATABASE IF EXISTS \"{PostgresName}\" WITH (FORCE)";
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is cleaned by the OS.
        }
    }
}
