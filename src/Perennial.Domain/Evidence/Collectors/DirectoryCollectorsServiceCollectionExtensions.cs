using Microsoft.Extensions.DependencyInjection;

namespace Perennial.Evidence.Collectors;

public static class DirectoryCollectorsServiceCollectionExtensions
{
    /// <summary>Registers the collectors that snapshot accounts and access: LDAP directories and PostgreSQL roles.</summary>
    public static IServiceCollection AddPerennialDirectoryCollectors(this IServiceCollection services)
    {
        services.AddSingleton<IEvidenceCollector, LdapCollector>();
        services.AddSingleton<IEvidenceCollector, PostgresRolesCollector>();
        return services;
    }
}
