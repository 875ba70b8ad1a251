using Quartz;

namespace Perennial.Scheduling;

/// <summary>
/// Stores every registered <see cref="IScheduledJob"/> in Quartz's tables as a job with a simple
/// interval trigger, before the scheduler starts. A trigger already stored (by this instance's last
/// run or by another instance of the cluster) keeps its place in the schedule, so restarts do not
/// re-run jobs; a changed interval reschedules from the last firing; jobs no longer registered are
/// removed.
/// </summary>
internal sealed partial class ScheduledJobRegistrar(IEnumerable<IScheduledJob> jobs, TimeProvider time, ILogger<ScheduledJobRegistrar> logger)
{
    /// <summary>Quartz group of Perennial's jobs and triggers.</summary>
    public const string Group = "perennial";

    public async Task StoreAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            if (!names.Add(job.Name))
            {
                throw new InvalidOperationException($"Two background jobs are named '{job.Name}'; job names must be unique.");
            }

            await StoreAsync(scheduler, job, cancellationToken);
        }

        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken))
        {
            if (!names.Contains(key.Name))
            {
                LogRemoved(key.Name);
                await scheduler.DeleteJob(key, cancellationToken);
            }
        }
    }

    private async Task StoreAsync(IScheduler scheduler, IScheduledJob job, CancellationToken ct)
    {
        if (job.Interval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Background job '{job.Name}' has interval {job.Interval}; it must be positive.");
        }

        var triggerKey = new TriggerKey(job.Name, Group);
        var existing = await scheduler.GetTrigger(triggerKey, ct);
        if (existing is ISimpleTrigger simple && simple.RepeatInterval == job.Interval)
        {
            return;
        }

        var detail = JobBuilder.Create<ScheduledJobRunner>()
            .WithIdentity(job.Name, Group)
            .WithDescription($"Perennial background job '{job.Name}'")
            .Build();
        var builder = TriggerBuilder.Create(time)
            .WithIdentity(triggerKey)
            .ForJob(detail)
            .WithSchedule(SimpleScheduleBuilder.Create()
                .WithInterval(job.Interval)
                .RepeatForever()
                // A firing missed while every instance was down runs once as soon as one is back.
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
        var last = existing?.PreviousFireTimeUtc;
        var trigger = (last is { } previous ? builder.StartAt(previous + job.Interval) : builder.StartNow()).Build();

        if (existing is null)
        {
            try
            {
                await scheduler.ScheduleJob(detail, trigger, cancellationToken: ct);
                LogScheduled(job.Name, job.Interval);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another instance starting at the same moment stored it first; its trigger stands.
            }
        }
        else
        {
            await scheduler.RescheduleJob(triggerKey, trigger, ct);
            LogRescheduled(job.Name, job.Interval);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing background job {Job}: no such job is registered any more")]
    private partial void LogRemoved(string job);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled background job {Job} every {Interval}")]
    private partial void LogScheduled(string job, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rescheduled background job {Job} to every {Interval}")]
    private partial void LogRescheduled(string job, TimeSpan interval);
}
