using Microsoft.Data.Sqlite;
using Npgsql;
using Perennial.Data;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one test app: a temporary SQLite file, or a new PostgreSQL database
/// created on the server named by <c>PERENNIAL_TEST_POSTGRES</c>.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "PERENNIAL_TEST_POSTGRES";
    private const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=perennial;Password=perennial;Database=postgres;Timeout=5";

    private readonly string? directory;
    private readonly string? postgresAdmin;
    private readonly string? postgresName;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? directory, string? postgresAdmin, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.directory = directory;
        this.postgresAdmin = postgresAdmin;
        this.postgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public string ProviderName => Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";

    /// <summary>A folder the test may use as the app's data directory.</summary>
    public string DataDirectory => directory ?? Path.GetTempPath();

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(CreateSqlite()) : CreatePostgresAsync();

    public static TestDatabase CreateSqlite()
    {
        var dir = Directory.CreateTempSubdirectory("perennial-test-").FullName;
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "perennial.db"), Pooling = false }.ToString();
        return new TestDatabase(DatabaseProvider.Sqlite, cs, dir, null, null);
    }

    /// <summary>A SQLite database in a folder that does not exist: every connection fails.</summary>
    public static TestDatabase Unreachable()
    {
        var dir = Directory.CreateTempSubdirectory("perennial-test-").FullName;
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "missing", "perennial.db"), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        return new TestDatabase(DatabaseProvider.Sqlite, cs, dir, null, null);
    }

    public static async Task<TestDatabase> CreatePostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable) ?? DefaultPostgres;
        var name = "perennial_t_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            Requirements.Missing(
                "PostgreSQL",
                $"PostgreSQL is not reachable with {PostgresVariable} (or the default {DefaultPostgres}): {e.Message}. "
                + "Start PostgreSQL 15 and create a role with CREATEDB, as .ci/run does.");
        }

        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ToString();
        return new TestDatabase(DatabaseProvider.Postgres, cs, Directory.CreateTempSubdirectory("perennial-test-").FullName, admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (postgresAdmin is not null && postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await using var connection = new NpgsqlConnection(postgresAdmin);
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS \"{postgresName}\" WITH (FORCE)";
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == "42501")
            {
                // A server process of another role still holds the database (FORCE may only signal our
                // own); the uniquely named database is left for the server's owner to drop.
            }
        }

        if (directory is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a background thread; the OS temp cleaner takes it.
            }
        }
    }

    /// <summary>Runs raw SQL against the test database, as an attacker with database access would.</summary>
    public async Task<int> ExecuteAsync(string sql)
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteNonQueryAsync();
        }
    }
}
