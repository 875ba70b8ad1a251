#pragma warning disable CA1861 // Expected access lists are written inline for readability.
using System.Text.Json;
using Npgsql;
using Perennial.Common;
using Perennial.Evidence.Collectors;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Evidence.Collectors.DirectorySeed;

namespace Perennial.Tests.Evidence.Collectors;

/// <summary>
/// The PostgreSQL roles collector against the real server: a temporary database with its own uniquely
/// named roles, grants, memberships and ownerships, all dropped afterwards.
/// </summary>
public sealed class PostgresRolesCollectorTests : IAsyncLifetime
{
    private const string AppPassword = "app-Secret-42";
    private readonly PostgresRolesCollector collector = new();
    private readonly string suffix = Guid.NewGuid().ToString("N")[..10];
    private TemporaryRoles roles = null!;

    private string App => $"app_{suffix}";
    private string Reader => $"reader_{suffix}";
    private string Analyst => $"analyst_{suffix}";
    private string Database => $"shop_{suffix}";

    public async ValueTask InitializeAsync()
    {
        roles = await TemporaryRoles.CreateAsync(Database, [App, Reader, Analyst]);
        try
        {
            await SetUpAsync();
        }
        catch
        {
            // xunit does not dispose a class whose set-up failed; leave no roles behind on the server.
            await roles.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await roles.DisposeAsync();

    private async Task SetUpAsync()
    {
        await roles.AdminAsync(
            $"CREATE ROLE {App} LOGIN CREATEDB PASSWORD '{AppPassword}'",
            $"CREATE ROLE {Reader} NOLOGIN",
            $"CREATE ROLE {Analyst} LOGIN PASSWORD 'x' VALID UNTIL '2020-01-01'",
            $"COMMENT ON ROLE {App} IS 'Order service'",
            $"GRANT {Reader} TO {App} WITH ADMIN OPTION",
            $"GRANT {Reader} TO {Analyst}",
            $"GRANT {App} TO CURRENT_USER",
            $"CREATE DATABASE {Database}");
        await roles.InDatabaseAsync(
            $"GRANT CONNECT ON DATABASE {Database} TO {App}",
            "CREATE SCHEMA sales",
            "CREATE TABLE sales.orders (id int PRIMARY KEY)",
            "CREATE TABLE public.accounts (id int PRIMARY KEY)",
            "CREATE VIEW public.account_ids AS SELECT id FROM public.accounts",
            $"GRANT CREATE ON SCHEMA sales TO {App}",
            $"ALTER TABLE sales.orders OWNER TO {App}",
            $"REVOKE CREATE ON SCHEMA sales FROM {App}",
            $"GRANT USAGE ON SCHEMA sales TO {Reader}",
            $"GRANT SELECT ON sales.orders TO {Reader}",
            $"GRANT SELECT, INSERT ON public.accounts TO {App} WITH GRANT OPTION",
            $"GRANT SELECT ON public.account_ids TO {Analyst}");
    }

    [Fact]
    public async Task A_snapshot_lists_each_role_with_its_attributes_memberships_ownerships_and_privileges()
    {
        var snapshot = await CollectAsync(collector, Context(Settings(), AppPassword));

        Assert.Equal("postgres", snapshot.Source);
        Assert.Equal($"{roles.Host}:{roles.Port}/{Database}", snapshot.System);
        Assert.Null(snapshot.Groups);

        var app = snapshot.Accounts.Single(a => a.Id == App);
        Assert.Equal("Order service", app.Name);
        Assert.False(app.Disabled);
        Assert.Equal(
            [
                $"CONNECT on database {Database}",
                "INSERT on public.accounts (with grant option)",
                "SELECT on public.accounts (with grant option)",
                "createdb",
                $"member of {Reader} (with admin option)",
                "owner of table sales.orders",
            ],
            app.Access);

        var reader = snapshot.Accounts.Single(a => a.Id == Reader);
        Assert.True(reader.Disabled);
        Assert.Equal(["SELECT on sales.orders", "USAGE on schema sales"], reader.Access);

        var analyst = snapshot.Accounts.Single(a => a.Id == Analyst);
        Assert.True(analyst.Disabled);
        Assert.Equal(["SELECT on public.account_ids", $"member of {Reader}"], analyst.Access);

        // The connected user made the database, so it owns it and the tables it created.
        var owner = snapshot.Accounts.Single(a => a.Id == roles.User);
        Assert.Contains($"owner of database {Database}", owner.Access);
        Assert.Contains("owner of table public.accounts", owner.Access);
        Assert.Contains("owner of view public.account_ids", owner.Access);
        Assert.Contains($"member of {App}", owner.Access);

        // What every role gets: the database's default CONNECT and TEMPORARY, and USAGE on schema public.
        var everyone = snapshot.Accounts.Single(a => a.Id == PostgresRolesCollector.PublicId);
        Assert.Contains($"CONNECT on database {Database}", everyone.Access);
        Assert.Contains("USAGE on schema public", everyone.Access);

        Assert.DoesNotContain(snapshot.Accounts, a => a.Id.StartsWith("pg_", StringComparison.Ordinal));
        Assert.Equal(snapshot.Accounts.Select(a => a.Id).Order(StringComparer.Ordinal), snapshot.Accounts.Select(a => a.Id));
    }

    [Fact]
    public async Task System_roles_are_listed_only_when_asked_for()
    {
        var snapshot = await CollectAsync(collector, Context(Settings(new { includeSystemRoles = true }), AppPassword));

        var monitor = snapshot.Accounts.Single(a => a.Id == "pg_monitor");
        Assert.True(monitor.Disabled);
        Assert.Contains("member of pg_read_all_settings", monitor.Access);
    }

    [Fact]
    public async Task A_revoked_privilege_and_membership_are_gone_from_the_next_snapshot()
    {
        await roles.InDatabaseAsync($"REVOKE SELECT ON sales.orders FROM {Reader}");
        await roles.AdminAsync($"REVOKE {Reader} FROM {Analyst}");

        var snapshot = await CollectAsync(collector, Context(Settings(), AppPassword));
        Assert.Equal(["USAGE on schema sales"], snapshot.Accounts.Single(a => a.Id == Reader).Access);
        Assert.Equal(["SELECT on public.account_ids"], snapshot.Accounts.Single(a => a.Id == Analyst).Access);
    }

    [Fact]
    public async Task The_same_roles_give_the_same_bytes()
    {
        var first = await CollectBytesAsync(collector, Context(Settings(), AppPassword));
        var second = await CollectBytesAsync(collector, Context(Settings(), AppPassword));
        Assert.Equal(Sha256(first), Sha256(second));
    }

    [Fact]
    public async Task A_wrong_password_fails_the_run_with_a_message_naming_the_user()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(Context(Settings(), "wrong"), TestContext.Current.CancellationToken));
        Assert.Contains($"refused the sign-in as '{App}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_fails_the_run_saying_it_could_not_connect()
    {
        var port = SlapdServer.FreePort();
        var settings = JsonSerializer.SerializeToElement(new { connectionString = $"Host=127.0.0.1;Port={port};Database={Database};Username={App}", timeoutSeconds = 3 });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => collector.CollectAsync(Context(settings, AppPassword), TestContext.Current.CancellationToken));
        Assert.StartsWith($"Could not connect to PostgreSQL at 127.0.0.1:{port}/{Database}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Host=db;Database=app;Username=u;Password=p"}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Host=db;Username=u"}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Database=app;Username=u"}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Host=db;Database=app"}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Host=db;Colour=blue"}""", "settings.connectionString")]
    [InlineData("""{"connectionString":"Host=db;Database=app;Username=u","includeSystemRoles":"yes"}""", "settings.includeSystemRoles")]
    public void Settings_are_checked_before_saving_naming_the_field(string json, string field)
    {
        using var document = JsonDocument.Parse(json);
        var e = Assert.Throws<UseCaseException>(() => collector.Validate(document.RootElement, "secret"));
        Assert.Equal(field, e.Field);
    }

    private JsonElement Settings(object? extra = null)
    {
        var settings = new Dictionary<string, object?>
        {
            ["connectionString"] = $"Host={roles.Host};Port={roles.Port};Database={Database};Username={App}",
        };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                settings[property.Name] = property.Value;
            }
        }

        return JsonSerializer.SerializeToElement(settings);
    }
}

/// <summary>
/// Roles and optionally one database made for a test on the server named by <c>PERENNIAL_TEST_POSTGRES</c> (whose role
/// needs CREATEDB and CREATEROLE, as .ci/run grants), dropped on dispose.
/// </summary>
internal sealed class TemporaryRoles : IAsyncDisposable
{
    private readonly string admin;
    private readonly string? database;
    private readonly IReadOnlyList<string> names;

    private TemporaryRoles(string admin, string? database, IReadOnlyList<string> names)
    {
        this.admin = admin;
        this.database = database;
        this.names = names;
        var builder = new NpgsqlConnectionStringBuilder(admin);
        Host = builder.Host!;
        Port = builder.Port;
        User = builder.Username!;
    }

    public string Host { get; }
    public int Port { get; }
    public string User { get; }

    public static async Task<TemporaryRoles> CreateAsync(string? database, IReadOnlyList<string> names)
    {
        var admin = Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable)
            ?? "Host=127.0.0.1;Port=5432;Username=perennial;Password=perennial;Database=postgres;Timeout=5";
        admin = new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ToString();
        bool canCreateRoles;
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user", connection);
            canCreateRoles = (bool)(await command.ExecuteScalarAsync())!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Requirements.Missing("PostgreSQL", $"PostgreSQL is not reachable with {TestDatabase.PostgresVariable}: {e.Message}. Start PostgreSQL 15, as .ci/run does.");
            throw;
        }

        if (!canCreateRoles)
        {
            Requirements.Missing("PostgreSQL role with CREATEROLE", "the roles collector tests create their own roles: ALTER ROLE perennial CREATEROLE (as .ci/run does).");
        }

        return new TemporaryRoles(admin, database, names);
    }

    /// <summary>Runs statements one by one on the server's admin database.</summary>
    public Task AdminAsync(params string[] statements) => RunAsync(admin, statements);

    /// <summary>Runs statements one by one in the temporary database, as its owner.</summary>
    public Task InDatabaseAsync(params string[] statements) =>
        RunAsync(new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(), statements);

    public async ValueTask DisposeAsync()
    {
        List<string> statements = database is null ? [] : [$"DROP DATABASE IF EXISTS {database} WITH (FORCE)"];
        statements.AddRange(names.Select(n => $"DROP ROLE IF EXISTS {n}"));
        await RunAsync(admin, [.. statements]);
    }

    private static async Task RunAsync(string connectionString, string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
