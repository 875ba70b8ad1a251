using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Data;
using Perennial.Scheduling;

namespace Perennial.Activities;

/// <summary>
/// Keeps every activity's occurrences materialised to the horizon as the days pass, and the
/// certification-cycle activities in step with the cycles' audit dates, once a day.
/// </summary>
public sealed class OccurrenceHorizonJob : IScheduledJob
{
    public string Name => "occurrence-horizon";
    public TimeSpan Interval => TimeSpan.FromDays(1);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var activities = services.GetRequiredService<ActivityService>();
        var db = services.GetRequiredService<PerennialDbContext>();
        var logger = services.GetRequiredService<ILogger<OccurrenceHorizonJob>>();

        var added = await activities.ExtendHorizonsAsync(ct);
        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Slug).Select(o => new { o.Id, o.Slug }).ToListAsync(ct);
        var failed = new List<string>();
        foreach (var organisation in organisations)
        {
            try
            {
                await activities.SyncCycleActivitiesAsync(organisation.Id, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One organisation's bad data must not keep the others' cycle activities stale.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "Could not synchronise the certification-cycle activities of organisation {Organisation}", organisation.Slug);
                failed.Add(organisation.Slug);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        var summary = $"{added} occurrence(s) added; cycle activities synchronised for {organisations.Count - failed.Count} of {organisations.Count} organisation(s)";
        return failed.Count > 0 ? JobResult.Failed($"{summary}; failed for {string.Join(", ", failed)}")
            : added == 0 ? JobResult.Idle(summary)
            : JobResult.Ok(summary);
    }
}
