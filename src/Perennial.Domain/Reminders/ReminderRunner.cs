using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Scheduling;

namespace Perennial.Reminders;

public sealed record ReminderRunResult(int NonconformitiesRaised, int Queued, int Sent, int Failed, int Withdrawn, int Held, string? EmailDisabledReason)
{
    public string Summary =>
        $"{NonconformitiesRaised} nonconformities raised, {Queued} reminders queued, {Sent} sent, {Failed} failed"
        + (Withdrawn > 0 ? $", {Withdrawn} withdrawn" : "")
        + (Held > 0 ? $", {Held} e-mails held ({EmailDisabledReason})" : "");

    /// <summary>Held e-mails are reported by the dispatcher's own warning; a round that only holds them did nothing new.</summary>
    public bool NothingHappened => NonconformitiesRaised + Queued + Sent + Failed + Withdrawn == 0;
}

/// <summary>One reminder round: the sweep (nonconformities for missed occurrences, reminders queued) then one delivery pass.</summary>
public sealed class ReminderRunner(PerennialDbContext db, ReminderSweep sweep, OutboxDispatcher dispatcher)
{
    public async Task<ReminderRunResult> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        // One connection for the round's many small queries, rather than one per query.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var swept = await sweep.RunAsync(now, ct);
            var delivered = await dispatcher.DispatchAsync(now, ct);
            return new ReminderRunResult(swept.NonconformitiesRaised, swept.Queued, delivered.Sent, delivered.Failed, delivered.Withdrawn, delivered.Held, delivered.EmailDisabledReason);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>The background job: a reminder round every five minutes (leased, so one instance at a time runs it).</summary>
public sealed class ReminderJob : IScheduledJob
{
    public string Name => "reminders";
    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var result = await services.GetRequiredService<ReminderRunner>().RunAsync(now, ct);
        // Failed deliveries stay queued and are retried; the run is marked failed so operators see it.
        return result.Failed > 0 ? JobResult.Failed(result.Summary)
            : result.NothingHappened ? JobResult.Idle(result.Summary)
            : JobResult.Ok(result.Summary);
    }
}

public static class RemindersServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sweep, the dispatcher, the settings use cases and the scheduled job. The host
    /// adds the transports (<see cref="IEmailTransport"/>, <see cref="IChatTransport"/>).
    /// </summary>
    public static IServiceCollection AddReminders(this IServiceCollection services, ReminderLinks links)
    {
        services.AddSingleton(links);
        services.AddSingleton<ReminderMessages>();
        services.AddScoped<NotificationSettingsService>();
        services.AddScoped<ReminderSweep>();
        services.AddScoped<OutboxDispatcher>();
        services.AddScoped<ReminderRunner>();
        services.AddSingleton<IScheduledJob, ReminderJob>();
        return services;
    }
}
