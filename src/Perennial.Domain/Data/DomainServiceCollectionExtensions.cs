using Microsoft.Extensions.DependencyInjection;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.Demo;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Scheduling;

namespace Perennial.Data;

public static class DomainServiceCollectionExtensions
{
    /// <summary>Registers the use cases of every feature.</summary>
    public static IServiceCollection AddPerennialUseCases(this IServiceCollection services)
    {
        services.AddScoped<AccountService>();
        services.AddScoped<OrganisationService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<FrameworkImportService>();
        services.AddSingleton<Scheduler>();
        services.AddSingleton<IScheduledJob, AuditTrailCheckJob>();
        return services;
    }
}
