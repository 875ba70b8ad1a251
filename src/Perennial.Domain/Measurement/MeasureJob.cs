using Microsoft.Extensions.DependencyInjection;
using Perennial.Organisations;
using Perennial.Scheduling;

namespace Perennial.Measurement;

/// <summary>
/// Computes the built-in measures of every organisation four times a day: the value for yesterday
/// (final once the day has ended) and for today (as it stands), so each measure keeps one value per day.
/// </summary>
public sealed class MeasureJob : IScheduledJob
{
    public string Name => "measures";
    public TimeSpan Interval => TimeSpan.FromHours(6);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var measures = services.GetRequiredService<MeasureService>();
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var computed = await measures.RecomputeAllAsync(today.AddDays(-1), ct);
        computed += await measures.RecomputeAllAsync(today, ct);
        return computed == 0 ? JobResult.Idle("No built-in measure to compute.") : JobResult.Ok($"Computed {computed} measure values for {today.AddDays(-1):yyyy-MM-dd} and {today:yyyy-MM-dd}.");
    }
}

/// <summary>Every organisation starts with the built-in measures, computed from its own records.</summary>
internal sealed class MeasureSetup(MeasureService measures) : IOrganisationSetup
{
    public Task SetUpAsync(Guid organisationId, CancellationToken ct) => measures.EnsureBuiltInsAsync(organisationId, ct);
}
