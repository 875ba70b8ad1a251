using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Data;
using Perennial.Scheduling;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Every minute: runs the collectors whose next run has come, each in a service scope of its own.
/// Each is claimed first with a conditional update, so two instances (or a run that overlaps the
/// next firing) never run the same due run twice. A collector that fails or throws is recorded as a
/// failed run; nothing it does stops the others or the scheduler. Runs left open by an instance that
/// stopped part-way are closed as failed first.
/// </summary>
public sealed partial class CollectorJob : IScheduledJob
{
    /// <summary>How many due collectors one firing takes on; the rest wait for the next minute.</summary>
    public const int BatchSize = 50;

    public string Name => "collectors";

    public TimeSpan Interval => TimeSpan.FromMinutes(1);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var logger = services.GetRequiredService<ILogger<CollectorJob>>();
        var due = await services.GetRequiredService<PerennialDbContext>().Collectors.AsNoTracking()
            .Where(c => c.Enabled && c.NextRunAt != null && c.NextRunAt <= now)
            .OrderBy(c => c.NextRunAt).Take(BatchSize)
            .Select(c => new { c.Id, c.OrganisationId, NextRunAt = c.NextRunAt!.Value })
            .ToListAsync(ct);

        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        int succeeded = 0, failed = 0, broken = 0;
        int abandoned;
        await using (var sweep = scopes.CreateAsyncScope())
        {
            abandoned = await sweep.ServiceProvider.GetRequiredService<CollectorRunner>().CloseAbandonedRunsAsync(now, ct);
        }

        foreach (var collector in due)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var runner = scope.ServiceProvider.GetRequiredService<CollectorRunner>();
                if (!await runner.ClaimAsync(collector.Id, collector.NextRunAt, now, ct))
                {
                    continue;
                }

                var run = await runner.RunAsync(collector.OrganisationId, collector.Id, CollectorRunTrigger.Schedule, null, ct);
                if (run.Outcome == CollectorRunOutcome.Succeeded)
                {
                    succeeded++;
                }
                else
                {
                    failed++;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // The runner records collectors' failures itself; anything reaching here is logged and the next collector runs.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogBroken(logger, e, collector.Id);
                broken++;
            }
        }

        var summary = $"{succeeded + failed + broken} collector run(s): {succeeded} succeeded, {failed} failed" + (broken > 0 ? $", {broken} could not be recorded" : "")
            + (abandoned > 0 ? $"; {abandoned} run(s) left open by a stopped instance closed as failed" : "");
        // Failed collector runs are the collectors' business (their owners are told); the job failed only when a run could not even be recorded.
        return broken > 0 ? JobResult.Failed(summary)
            : succeeded + failed + abandoned == 0 ? JobResult.Idle(summary)
            : JobResult.Ok(summary);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Collector {Id} could not be run or its run recorded")]
    private static partial void LogBroken(ILogger logger, Exception exception, Guid id);
}
