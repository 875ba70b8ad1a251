using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Perennial.AuditTrail;
using Perennial.Data;
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
