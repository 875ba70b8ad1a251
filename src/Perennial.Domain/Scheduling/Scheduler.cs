using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Data;

namespace Perennial.Scheduling;

public sealed record JobResult(JobOutcome Outcome, string Message)
{
    public static JobResult Ok(string message) => new(JobOutcome.Succeeded, message);
    public static JobResult Failed(string message) => new(JobOutcome.Failed, message);
}

/// <summary>A piece of background work that runs every <see cref="Interval"/>.</summary>
public interface IScheduledJob
{
    string Name { get; }
    TimeSpan Interval { get; }

    /// <summary>Runs in its own service scope; an exception counts as a failed run.</summary>
    Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct);
}

/// <summary>
/// Runs the registered jobs that are due. Called every minute by the host's background service;
/// the lease in <see cref="ScheduledJobState"/> keeps two instances from running the same job.
/// </summary>
public sealed class Scheduler(IServiceScopeFactory scopes, IEnumerable<IScheduledJob> jobs, TimeProvider time, ILogger<Scheduler> logger)
{
    /// <summary>How long an instance may hold a job before another may assume it died.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(30);

    /// <summary>Identifies this instance in leases.</summary>
    public string InstanceId { get; } = Truncate($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", 100);

    public async Task<int> RunDueJobsAsync(CancellationToken ct)
    {
        var ran = 0;
        foreach (var job in jobs)
        {
            if (await TryClaimAsync(job, ct))
            {
                await RunClaimedAsync(job, ct);
                ran++;
            }
        }

        return ran;
    }

    private async Task<bool> TryClaimAsync(IScheduledJob job, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var now = time.GetUtcNow();
        if (!await db.ScheduledJobs.AnyAsync(s => s.Name == job.Name, ct))
        {
            db.ScheduledJobs.Add(new ScheduledJobState { Name = job.Name, NextRunAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance registered the job first.
                db.ChangeTracker.Clear();
            }
        }

        var until = now + LeaseDuration;
        var claimed = await db.ScheduledJobs
            .Where(s => s.Name == job.Name && s.NextRunAt <= now && (s.LeaseUntil == null || s.LeaseUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseOwner, InstanceId).SetProperty(s => s.LeaseUntil, until), ct);
        return claimed == 1;
    }

    private async Task RunClaimedAsync(IScheduledJob job, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        JobResult result;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            result = await job.RunAsync(scope.ServiceProvider, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing job is recorded and retried on schedule; it never stops the host.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Scheduled job {Job} failed", job.Name);
            result = JobResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        if (result.Outcome == JobOutcome.Failed)
        {
            logger.LogError("Scheduled job {Job} reported a failure: {Message}", job.Name, result.Message);
        }

        await using var finish = scopes.CreateAsyncScope();
        var db = finish.ServiceProvider.GetRequiredService<PerennialDbContext>();
        var finished = time.GetUtcNow();
        var message = Truncate(result.Message, ScheduledJobState.MessageMaxLength);
        await db.ScheduledJobs.Where(s => s.Name == job.Name && s.LeaseOwner == InstanceId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.LastStartedAt, started)
                .SetProperty(s => s.LastFinishedAt, finished)
                .SetProperty(s => s.LastOutcome, result.Outcome)
                .SetProperty(s => s.LastMessage, message)
                .SetProperty(s => s.RunCount, s => s.RunCount + 1)
                .SetProperty(s => s.NextRunAt, started + job.Interval)
                .SetProperty(s => s.LeaseOwner, (string?)null)
                .SetProperty(s => s.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;
}
