using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Quartz;

namespace Perennial.Scheduling;

/// <summary>
/// Starts Quartz once the application has started and its database is reachable and migrated,
/// after storing the registered jobs, and shuts it down (letting running jobs finish) when the
/// application stops. Quartz's own hosted service would stop the whole application when the
/// database is unreachable at start, and a Quartz scheduler that failed to build cannot be built
/// again in the same process; this host keeps the web app up (its health check answers 503) and
/// checks the database every <see cref="RetryDelay"/> until it can start the scheduler.
/// </summary>
internal sealed partial class SchedulerHost(
    ISchedulerFactory factory,
    ScheduledJobRegistrar registrar,
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SchedulerHost> logger) : BackgroundService
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    private IScheduler? scheduler;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            while (!await DatabaseReadyAsync(stoppingToken))
            {
                await Task.Delay(RetryDelay, time, stoppingToken);
            }

            IScheduler candidate;
            try
            {
                candidate = await factory.GetScheduler(stoppingToken);
            }
#pragma warning disable CA1031 // The web app keeps serving; the log says why this instance runs no jobs.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogCannotBuild(e);
                return;
            }

            while (true)
            {
                try
                {
                    await registrar.StoreAsync(candidate, stoppingToken);
                    await candidate.Start(stoppingToken);
                    scheduler = candidate;
                    LogStarted(candidate.SchedulerInstanceId);
                    return;
                }
#pragma warning disable CA1031 // A database outage at start must not take the web app down; the scheduler starts when it is back.
                catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogNotStarted(e, RetryDelay);
                }

                await Task.Delay(RetryDelay, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The application stopped before the scheduler started.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (scheduler is { } running)
        {
            await running.Shutdown(waitForJobsToComplete: true, cancellationToken);
        }
    }

    private async Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(ct);
        }
    }

    /// <summary>Quartz validates its tables when it is built, so it is built only once the migrations that create them are applied.</summary>
    private async Task<bool> DatabaseReadyAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<PerennialDbContext>().Database;
            if (!await database.CanConnectAsync(ct))
            {
                LogWaiting("the database is unreachable", RetryDelay);
                return false;
            }

            var pending = (await database.GetPendingMigrationsAsync(ct)).Count();
            if (pending > 0)
            {
                LogWaiting($"{pending} migration(s) are not applied yet (perennial db migrate)", RetryDelay);
                return false;
            }

            return true;
        }
#pragma warning disable CA1031 // Whatever keeps the database from answering, the check is made again later.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogWaiting(e.Message, RetryDelay);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Background jobs started (Quartz instance {InstanceId})")]
    private partial void LogStarted(string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background jobs wait: {Reason}; checking again in {Delay}")]
    private partial void LogWaiting(string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background jobs could not start; trying again in {Delay}")]
    private partial void LogNotStarted(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Quartz scheduler could not be built; this instance runs no background jobs until it is restarted")]
    private partial void LogCannotBuild(Exception exception);
}
