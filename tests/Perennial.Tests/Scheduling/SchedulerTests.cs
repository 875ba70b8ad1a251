using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Scheduling;
using Perennial.Tests.Infrastructure;
using Quartz;
using static Perennial.Tests.Scheduling.SchedulerWait;

namespace Perennial.Tests.Scheduling;

public sealed class SqliteSchedulerTests() : SchedulerTests(DatabaseProvider.Sqlite);

public sealed class PostgresSchedulerTests() : SchedulerTests(DatabaseProvider.Postgres);

/// <summary>
/// Background jobs on Quartz.NET with its job store in Perennial's database. Quartz runs on the app's
/// clock, so the tests move the fake clock and wait a moment for the scheduler to act.
/// </summary>
public abstract class SchedulerTests(DatabaseProvider provider)
{
    private static readonly Dictionary<string, string?> On = new() { ["Perennial:Scheduler:Enabled"] = "true" };

    private Task<TestApp> StartAsync(params IScheduledJob[] jobs) =>
        TestApp.StartAsync(provider, settings: On, services: s => AddJobs(s, jobs));

    private static void AddJobs(IServiceCollection services, IEnumerable<IScheduledJob> jobs)
    {
        foreach (var job in jobs)
        {
            services.AddSingleton(job);
        }
    }

    [Fact]
    public async Task A_job_runs_when_the_scheduler_starts_and_again_each_time_its_interval_passes()
    {
        var job = new CountingJob("count", TimeSpan.FromHours(6));
        await using var app = await StartAsync(job);

        await EventuallyAsync(() => job.Runs == 1, "the job ran on start");
        app.Time.Advance(TimeSpan.FromHours(5));
        await SettleAsync();
        Assert.Equal(1, job.Runs);

        app.Time.Advance(TimeSpan.FromHours(1));
        await EventuallyAsync(() => job.Runs == 2, "the job ran six hours later");
        await SettleAsync();
        Assert.Equal(2, job.Runs);

        // Each run had a service scope of its own.
        Assert.Equal(2, job.Contexts.Distinct().Count());
        var status = await StatusAsync(app, "count", 2);
        Assert.Equal(JobRunResult.Succeeded, status.LastResult);
        Assert.Equal("count done", status.LastSummary);
    }

    [Fact]
    public async Task A_job_missed_for_a_month_runs_once_when_time_catches_up_not_once_per_missed_day()
    {
        var job = new CountingJob("daily", TimeSpan.FromDays(1));
        await using var app = await StartAsync(job);
        await EventuallyAsync(() => job.Runs == 1, "the job ran on start");

        app.Time.Advance(TimeSpan.FromDays(30));
        await EventuallyAsync(() => job.Runs == 2, "the missed job ran");
        await SettleAsync();
        Assert.Equal(2, job.Runs);

        // The schedule carries on a day after the catch-up run.
        app.Time.Advance(TimeSpan.FromDays(1));
        await EventuallyAsync(() => job.Runs == 3, "the job ran the next day");
    }

    [Fact]
    public async Task A_job_that_throws_is_logged_and_recorded_as_failed_and_the_scheduler_keeps_running()
    {
        var failing = new CountingJob("failing", TimeSpan.FromHours(1), fail: true);
        var healthy = new CountingJob("healthy", TimeSpan.FromHours(1));
        var logs = new CapturedLogs();
        await using var app = await TestApp.StartAsync(provider, settings: On, services: s =>
        {
            AddJobs(s, [failing, healthy]);
            s.AddSingleton<ILoggerProvider>(logs);
        });

        await EventuallyAsync(() => failing.Runs == 1 && healthy.Runs == 1, "both jobs ran");
        var status = await StatusAsync(app, "failing", 1);
        Assert.Equal(JobRunResult.Failed, status.LastResult);
        Assert.Contains("deliberate failure of failing", status.LastFailureMessage, StringComparison.Ordinal);
        Assert.Equal(1, status.ConsecutiveFailures);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("failing", StringComparison.Ordinal)
            && e.Exception is InvalidOperationException);

        app.Time.Advance(TimeSpan.FromHours(1));
        await EventuallyAsync(() => failing.Runs == 2 && healthy.Runs == 2, "both jobs ran again an hour later");
        Assert.Equal(2, (await StatusAsync(app, "failing", 2)).ConsecutiveFailures);
        Assert.Equal(JobRunResult.Succeeded, (await StatusAsync(app, "healthy", 2)).LastResult);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task With_the_scheduler_disabled_no_job_runs()
    {
        var job = new CountingJob("never", TimeSpan.FromHours(1));
        await using var app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["Perennial:Scheduler:Enabled"] = "false" },
            services: s => AddJobs(s, [job]));

        Assert.Null(app.Services.GetService<ISchedulerFactory>());
        app.Time.Advance(TimeSpan.FromDays(2));
        await SettleAsync();
        Assert.Equal(0, job.Runs);
    }

    [Fact]
    public async Task A_restarted_instance_keeps_the_stored_schedule_and_forgets_jobs_no_longer_registered()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var clock = TestApp.NewClock();
        var hourly = new CountingJob("hourly", TimeSpan.FromHours(1));
        var retired = new CountingJob("retired", TimeSpan.FromHours(1));
        await using (var first = await TestApp.StartAsync(database, settings: On, ownsDatabase: false, services: s => AddJobs(s, [hourly, retired]), time: clock))
        {
            await EventuallyAsync(() => hourly.Runs == 1 && retired.Runs == 1, "both jobs ran on start");
            clock.Advance(TimeSpan.FromMinutes(40));
        }

        // Restarting does not run the job again: the next firing is still an hour after the last.
        var sixHourly = new CountingJob("hourly", TimeSpan.FromHours(6));
        await using var second = await TestApp.StartAsync(database, settings: On, migrate: false, ownsDatabase: false, services: s => AddJobs(s, [sixHourly]), time: clock);
        var scheduler = await second.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await EventuallyAsync(() => scheduler.Status == SchedulerStatus.Running, "the scheduler started");
        Assert.False(await scheduler.Exists(new JobKey("retired", ScheduledJobRegistrar.Group)));
        Assert.True(await scheduler.Exists(new JobKey("hourly", ScheduledJobRegistrar.Group)));
        await SettleAsync();
        Assert.Equal(0, sixHourly.Runs);

        // Its interval changed to six hours, counted from the last run.
        clock.Advance(TimeSpan.FromMinutes(20));
        await SettleAsync();
        Assert.Equal(0, sixHourly.Runs);
        clock.Advance(TimeSpan.FromHours(5));
        await EventuallyAsync(() => sixHourly.Runs == 1, "the job ran six hours after its last run");
        Assert.Equal(1, hourly.Runs);
        Assert.Equal(1, retired.Runs);
    }

    [Fact]
    public async Task The_daily_audit_trail_check_records_tampering_as_a_failed_run()
    {
        await using var app = await TestApp.StartAsync(provider, settings: On);
        var admin = await app.CreateUserAsync("admin@jobs.test");
        await app.CreateOrganisationAsync("jobs", admin.Id);
        var first = await StatusAsync(app, "audit-trail-check", 1);
        Assert.Equal(JobRunResult.Succeeded, first.LastResult);

        await app.Database.ExecuteAsync("UPDATE \"AuditEntries\" SET \"ActorName\" = 'someone else' WHERE \"Sequence\" = 1");
        app.Time.Advance(TimeSpan.FromDays(1));

        var status = await StatusAsync(app, "audit-trail-check", first.RunCount + 1);
        Assert.Equal(JobRunResult.Failed, status.LastResult);
        Assert.Contains("broken at entry 1", status.LastFailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daily_occurrence_job_moves_the_horizon_forward_and_follows_moved_audit_dates()
    {
        await using var app = await TestApp.StartAsync(provider, settings: On);
        var owner = await app.CreateUserAsync("owner@jobs.test");
        var organisation = await app.CreateOrganisationAsync("horizon", owner.Id);
        await StatusAsync(app, "occurrence-horizon", 1);

        var (monthly, audits, surveillance) = await app.WithScopeAsync(async s =>
        {
            var activities = s.GetRequiredService<ActivityService>();
            var cycles = s.GetRequiredService<CycleService>();
            var cycle = await cycles.SaveCertificateAsync(organisation.Id,
                new CertificateInput("Example Certification Ltd", null, null, null, new DateOnly(2025, 9, 1), null, null), CancellationToken.None);
            var monthly = await activities.CreateAsync(organisation.Id, new ActivityInput(
                "Firewall rule review", null, owner.Id, null, null, "FREQ=MONTHLY;BYMONTHDAY=15", new DateTime(2026, 3, 15, 9, 0, 0), "Europe/London"),
                CancellationToken.None);
            var audits = await activities.CreateFromTemplatesAsync(organisation.Id, ["external-audit"], owner.Id, new DateOnly(2026, 3, 2), "Europe/London", CancellationToken.None);
            return (monthly.Id, audits.Single().Id, cycle.Audits.Single(a => a.Kind == ExternalAuditKind.Surveillance1));
        });
        Task<List<Occurrence>> OccurrencesAsync(Guid activityId) => app.WithScopeAsync(s =>
            s.GetRequiredService<PerennialDbContext>().Occurrences.AsNoTracking().Where(o => o.ActivityId == activityId).ToListAsync());

        var before = await OccurrencesAsync(monthly);
        Assert.Equal(new DateOnly(2029, 5, 15), before.Max(o => o.DueDate));
        var moved = surveillance.WindowStart.AddDays(3);
        Assert.NotEqual(surveillance.PlannedDate, moved);
        await app.WithScopeAsync(s => s.GetRequiredService<CycleService>().UpdateAuditAsync(organisation.Id, ExternalAuditKind.Surveillance1,
            new AuditPlanInput(moved, surveillance.WindowStart, surveillance.WindowEnd, null, null, null), CancellationToken.None));

        var runs = (await StatusAsync(app, "occurrence-horizon", 1)).RunCount;
        app.Time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(JobRunResult.Succeeded, (await StatusAsync(app, "occurrence-horizon", runs + 1)).LastResult);

        var after = await OccurrencesAsync(monthly);
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Equal(new DateOnly(2029, 6, 15), after.Max(o => o.DueDate));
        var auditOccurrence = (await OccurrencesAsync(audits)).Single(o => o.ExternalAuditId == surveillance.Id);
        Assert.Equal(moved, auditOccurrence.DueDate);
    }
}
