using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Perennial.AuditTrail;
using Perennial.Data;

namespace Perennial.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef</c> build the model for this provider; see scripts/add-migration.sh.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PerennialDbContext>
{
    public PerennialDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PerennialDbContext>();
        DataServiceCollectionExtensions.Configure(builder, DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new PerennialDbContext(builder.Options, TimeProvider.System, new FixedAuditActorAccessor());
    }
}
