using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditTrail;

namespace Perennial.Data;

public static class DataServiceCollectionExtensions
{
    public const string SqliteMigrationsAssembly = "Perennial.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Perennial.Migrations.Postgres";

    /// <summary>
    /// Registers the DbContext on the configured provider. <paramref name="dataDirectory"/> holds the
    /// SQLite file when no connection string is given.
    /// </summary>
    public static IServiceCollection AddPerennialData(this IServiceCollection services, DatabaseOptions options, string dataDirectory)
    {
        var provider = options.ParsedProvider;
        var connectionString = ResolveConnectionString(options, dataDirectory);
        services.AddDbContext<PerennialDbContext>(builder => Configure(builder, provider, connectionString));
        services.AddSingleton(new DataPaths(Path.GetFullPath(dataDirectory)));
        services.AddScoped<AuditTrailVerifier>();
        services.AddScoped<AuditHistory>();
        services.AddScoped<ChangeDescriber>();
        return services;
    }

    public static string ResolveConnectionString(DatabaseOptions options, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        if (options.ParsedProvider == DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Setting Perennial:Database:ConnectionString is required when the provider is 'postgres'.");
        }

        Directory.CreateDirectory(dataDirectory);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetFullPath(dataDirectory), "perennial.db"),
            Pooling = true,
        }.ToString();
    }

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                builder.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly));
                break;
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
    }
}
