using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Perennial.AuditTrail;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Data;

public sealed class MigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.Postgres, "Host=127.0.0.1;Database=unused;Username=unused;Password=unused")]
    public void Every_model_change_is_covered_by_a_migration_for_each_provider(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, provider, connectionString);
        using var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor());

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model has changes that no {provider} migration covers: run scripts/add-migration.sh <Name>.");
    }

    [Fact]
    public async Task Migrating_a_new_SQLite_database_logs_no_warning_and_rebuilds_no_table()
    {
        await using var database = TestDatabase.CreateSqlite();
        using var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(l => l.AddProvider(logs));
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, DatabaseProvider.Sqlite, database.ConnectionString);
        builder.UseLoggerFactory(loggers);
        await using (var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor()))
        {
            await db.Database.MigrateAsync();
        }

        // A table rebuild switches foreign keys off outside the migration's transaction (EF Core warns),
        // so an interrupted upgrade would leave the database half-migrated: migrations must avoid it.
        Assert.True(logs.Entries.IsEmpty, "Migrating logged:\n" + string.Join("\n", logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}")));

        // The foreign keys added together with their columns behave as the model says.
        Assert.Equal("SET NULL", await ForeignKeyActionAsync(database.ConnectionString, "Memberships", "ManagerUserId", "AspNetUsers"));
        Assert.Equal("RESTRICT", await ForeignKeyActionAsync(database.ConnectionString, "OccurrenceEvidence", "EvidenceItemId", "EvidenceItems"));
    }

    [Fact]
    public async Task Nonconformities_recorded_before_the_corrective_action_loop_migrate_into_it_with_their_history()
    {
        await using var database = TestDatabase.CreateSqlite();
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, DatabaseProvider.Sqlite, database.ConnectionString);
        var orgId = Guid.NewGuid();
        var openId = Guid.NewGuid();
        var closedId = Guid.NewGuid();
        var raisedAt = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        await using (var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor()))
        {
            // The schema as it was before the loop, with the simple records missed activities raised then.
            await db.GetService<IMigrator>().MigrateAsync("20261126062510_Collectors");
            await using var connection = new SqliteConnection(database.ConnectionString);
            await connection.OpenAsync();
            await InsertAsync(connection, "Organisations", new() { ["Id"] = orgId.ToString().ToUpperInvariant(), ["Slug"] = "old", ["Name"] = "Old Ltd" });
            foreach (var (id, reference, status, closed) in new[] { (openId, "NC-001", "Open", (long?)null), (closedId, "NC-002", "Closed", raisedAt.AddDays(3).UtcTicks) })
            {
                await InsertAsync(connection, "Nonconformities", new()
                {
                    ["Id"] = id.ToString().ToUpperInvariant(),
                    ["OrganisationId"] = orgId.ToString().ToUpperInvariant(),
                    ["Reference"] = reference,
                    ["Title"] = $"Missed: access review ({reference})",
                    ["Source"] = "MissedActivity",
                    ["Status"] = status,
                    ["RaisedAt"] = raisedAt.UtcTicks,
                    ["ClosedAt"] = closed,
                });
            }
        }

        await using (var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor()))
        {
            await db.Database.MigrateAsync();
            var workflow = new NonconformityWorkflow(db, TimeProvider.System);
            var open = await workflow.GetAsync(orgId, openId, default);
            Assert.Equal(NonconformityStatus.Raised, open.Status);
            Assert.Equal(NonconformitySeverity.Minor, open.Severity);
            Assert.Equal(NonconformitySource.MissedActivity, open.Source);
            Assert.Equal(raisedAt, open.RaisedAt);
            Assert.Equal(1, Assert.Single(open.Rounds).Number);
            Assert.Null(open.RiskReviewRequestedAt);
            var closed = await workflow.GetAsync(orgId, closedId, default);
            Assert.Equal(NonconformityStatus.Closed, closed.Status);
            Assert.Equal(raisedAt.AddDays(3), closed.ClosedAt);
            Assert.NotNull(closed.ClosureJustification);
            var log = await new NonconformityLog(db, TimeProvider.System).ListAsync(orgId, new NonconformityQuery(), new Perennial.Paging.PageRequest(1, 50), default);
            Assert.Equal(["NC-002", "NC-001"], log.Items.Select(i => i.Reference));
        }
    }

    /// <summary>Inserts a row giving the named columns; any other required column gets an empty value of its type.</summary>
    private static async Task InsertAsync(SqliteConnection connection, string table, Dictionary<string, object?> values)
    {
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name, type FROM pragma_table_info('{table}') WHERE \"notnull\" = 1 AND dflt_value IS NULL";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                values.TryAdd(reader.GetString(0), reader.GetString(1) == "INTEGER" ? 0L : "");
            }
        }

        await using var command = connection.CreateCommand();
        var names = values.Keys.ToList();
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", names.Select(n => $"\"{n}\""))}) VALUES ({string.Join(", ", names.Select((_, i) => $"$p{i}"))})";
        for (var i = 0; i < names.Count; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", values[names[i]] ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ForeignKeyActionAsync(string connectionString, string table, string column, string principal)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT on_delete FROM pragma_foreign_key_list('{table}') WHERE \"from\" = $column AND \"table\" = $principal";
        command.Parameters.AddWithValue("$column", column);
        command.Parameters.AddWithValue("$principal", principal);
        return await command.ExecuteScalarAsync() as string;
    }
}
