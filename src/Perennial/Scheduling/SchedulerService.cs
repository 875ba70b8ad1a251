namespace Perennial.Scheduling;

/// <summary>The host's clock for background work: asks the scheduler for due jobs every minute.</summary>
public sealed class SchedulerService(Scheduler scheduler, Hosting.PerennialOptions options, TimeProvider time, ILogger<SchedulerService> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Scheduler.Enabled)
        {
            logger.LogInformation("Background jobs are off in this instance (Perennial:Scheduler:Enabled=false)");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scheduler.RunDueJobsAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The scheduler must outlive a database outage; it tries again next tick.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "The scheduler could not run due jobs; it will try again in {Tick}", Tick);
            }

            try
            {
                await Task.Delay(Tick, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
