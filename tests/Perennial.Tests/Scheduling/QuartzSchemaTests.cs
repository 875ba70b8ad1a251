using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Perennial.AuditTrail;
using Perennial.Data;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Scheduling;

public sealed class SqliteQuartzSchemaTests() : QuartzSchemaTests(DatabaseProvider.Sqlite);

public sealed class PostgresQuartzSchemaTests() : QuartzSchemaTests(DatabaseProvider.Postgres);

/// <summary>Quartz's tables come and go with the migration that brought them.</summary>
public abstract class QuartzSchemaTests(DatabaseProvider provider)
{
    [Fact]
    public async Task The_migration_creates_all_fifteen_quartz_tables_and_reverting_it_drops_them_and_restores_the_old_job_table()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, provider, database.ConnectionString);
        await using var db = new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor());
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var quartz = migrations.Single(m => m.EndsWith("_QuartzTables", StringComparison.Ordinal));
        var before = migrations[migrations.IndexOf(quartz) - 1];

        await db.Database.MigrateAsync();
        Assert.Equal(15, await CountTablesAsync(db, "qrtz%"));
        Assert.Equal(0, await CountTablesAsync(db, "ScheduledJobs"));

        await migrator.MigrateAsync(before);
        Assert.Equal(0, await CountTablesAsync(db, "qrtz%"));
        Assert.Equal(1, await CountTablesAsync(db, "ScheduledJobs"));

        await db.Database.MigrateAsync();
        Assert.Equal(15, await CountTablesAsync(db, "qrtz%"));
    }

    private Task<int> CountTablesAsync(PerennialDbContext db, string pattern) => provider == DatabaseProvider.Sqlite
        ? db.Database.SqlQuery<int>($"SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND lower(name) LIKE lower({pattern})").SingleAsync()
        : db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public' AND lower(table_name) LIKE lower({pattern})").SingleAsync();
}
