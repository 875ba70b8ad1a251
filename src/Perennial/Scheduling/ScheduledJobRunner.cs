using Quartz;

namespace Perennial.Scheduling;

/// <summary>
/// The one Quartz job class: each stored Quartz job is named after an <see cref="IScheduledJob"/>,
/// and a firing runs that job in a service scope of its own. One run of a job at a time across the
/// cluster (<see cref="DisallowConcurrentExecutionAttribute"/>); a failure is logged and recorded in
/// Quartz's execution history, and the job simply runs again at its next firing.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class ScheduledJobRunner(IEnumerable<IScheduledJob> jobs, IServiceScopeFactory scopes, ILogger<ScheduledJobRunner> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var name = context.JobDetail.Key.Name;
        var job = jobs.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.Ordinal))
            ?? throw new JobExecutionException($"No background job named '{name}' is registered in this instance.");

        JobResult result;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            result = await job.RunAsync(scope.ServiceProvider, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Quartz records the failure from what is thrown here; the job runs again at its next firing.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogThrew(e, name);
            throw new JobExecutionException($"{e.GetType().Name}: {e.Message}", e);
        }

        if (result.Outcome == JobOutcome.Failed)
        {
            LogFailed(name, result.Message);
            context.Result = JobRunReport.Failed(result.Message);
        }
        else
        {
            if (result.DidWork)
            {
                LogSucceeded(name, result.Message);
            }
            else
            {
                LogIdle(name, result.Message);
            }

            context.Result = JobRunReport.Succeeded(result.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background job {Job} failed")]
    private partial void LogThrew(Exception exception, string job);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background job {Job} reported a failure: {Message}")]
    private partial void LogFailed(string job, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Background job {Job} finished: {Message}")]
    private partial void LogSucceeded(string job, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Background job {Job} found nothing to do: {Message}")]
    private partial void LogIdle(string job, string message);
}
