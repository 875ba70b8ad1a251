namespace Perennial.Scheduling;

public enum JobOutcome
{
    Succeeded = 1,
    Failed = 2,
}

/// <param name="DidWork">False for a routine firing that found nothing to do: it is logged at debug level only, so the console is not a clock.</param>
public sealed record JobResult(JobOutcome Outcome, string Message, bool DidWork = true)
{
    public static JobResult Ok(string message) => new(JobOutcome.Succeeded, message);
    public static JobResult Idle(string message) => new(JobOutcome.Succeeded, message, DidWork: false);
    public static JobResult Failed(string message) => new(JobOutcome.Failed, message);
}

/// <summary>
/// A piece of background work that runs every <see cref="Interval"/>. A feature registers one with
/// <c>services.AddSingleton&lt;IScheduledJob, TheJob&gt;()</c>; the host's scheduler (Quartz.NET,
/// clustered on the database) runs it on one instance at a time.
/// </summary>
public interface IScheduledJob
{
    /// <summary>Stable identity of the job in the scheduler's tables; renaming a job schedules it anew.</summary>
    string Name { get; }

    TimeSpan Interval { get; }

    /// <summary>Runs in its own service scope; an exception or a failed result counts as a failed run.</summary>
    Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct);
}
