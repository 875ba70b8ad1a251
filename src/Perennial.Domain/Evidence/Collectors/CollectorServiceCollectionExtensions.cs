using Microsoft.Extensions.DependencyInjection;
using Perennial.Scheduling;

namespace Perennial.Evidence.Collectors;

public static class CollectorServiceCollectionExtensions
{
    /// <summary>Registers the collector kinds, the use cases that configure and run them, and the every-minute job.</summary>
    public static IServiceCollection AddPerennialCollectors(this IServiceCollection services)
    {
        services.AddSingleton<IEvidenceCollector, CommandCollector>();
        services.AddSingleton<IEvidenceCollector, HttpCollector>();
        services.AddScoped<CollectorService>();
        services.AddScoped<CollectorRunner>();
        services.AddScoped<CollectorAlerts>();
        services.AddSingleton<IScheduledJob, CollectorJob>();
        return services;
    }
}
