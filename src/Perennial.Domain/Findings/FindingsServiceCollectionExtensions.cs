using Microsoft.Extensions.DependencyInjection;
using Perennial.Evidence;

namespace Perennial.Findings;

public static class FindingsServiceCollectionExtensions
{
    /// <summary>Findings from scanner reports: the report importer evidence uploads call, and the findings use cases.</summary>
    public static IServiceCollection AddPerennialFindings(this IServiceCollection services)
    {
        services.AddScoped<FindingService>();
        services.AddScoped<ScannerReportImporter>();
        services.AddScoped<IEvidenceReportImporter>(s => s.GetRequiredService<ScannerReportImporter>());
        return services;
    }
}
