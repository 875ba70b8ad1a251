using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Perennial.AuditTrail;
using Perennial.Data;

namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A fresh database for one test app: a temporary SQLite file, or a new PostgreSQL database
/// created on the server named by <c>PERENNIAL_TEST_POSTGRES</c>. Empty by default; a migrated one is
/// a copy of a template the test process migrates once per provider (a file copy on SQLite,
/// <c>CREATE DATABASE … TEMPLATE</c> on PostgreSQL), so hundreds of tests do not each run every migration.
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

    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? Task.FromResult(CreateSqlite()) : CreatePostgresAsync();

    /// <summary>A database with every migration applied, copied from this process's template.</summary>
    public static async Task<TestDatabase> CreateMigratedAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var template = await SqliteTemplate.Value;
            var database = CreateSqlite();
            File.Copy(template, Path.Combine(database.DataDirectory, "perennial.db"));
            return database;
        }

        return await CreatePostgresAsync(await PostgresTemplate.Value);
    }

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var dir = Directory.CreateTempSubdirectory("perennial-template-").FullName;
        var file = Path.Combine(dir, "perennial.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        await MigrateAsync(DatabaseProvider.Sqlite, cs);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        };
        return file;
    }

    private static async Task<string> CreatePostgresTemplateAsync()
    {
        var template = await CreatePostgresAsync();
        await MigrateAsync(DatabaseProvider.Postgres, template.ConnectionString);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => template.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return template.postgresName!;
    }

    private static async Task MigrateAsync(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, provider, connectionString);
        await using var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor());
        await db.Database.MigrateAsync();
    }

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

    public static async Task<TestDatabase> CreatePostgresAsync(string? template = null)
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable) ?? DefaultPostgres;
        var name = "perennial_t_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            for (var attempt = 1; ; attempt++)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"";
                try
                {
                    await command.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
                {
                    // The template's migrating connection is still closing on the server, or another copy is being made.
                    await Task.Delay(100);
                }
            }
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
