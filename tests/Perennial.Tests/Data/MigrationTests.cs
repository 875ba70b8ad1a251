using Microsoft.EntityFrameworkCore;
using Perennial.AuditTrail;
using Perennial.Data;

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
}
