using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Scheduling;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Scheduling.SchedulerWait;

namespace Perennial.Tests.Scheduling;

public sealed class SchedulerOutageTests
{
    [Fact]
    public async Task An_instance_started_while_its_database_is_down_serves_and_starts_its_jobs_once_the_database_is_back()
    {
        var job = new CountingJob("patient", TimeSpan.FromHours(1));
        var logs = new CapturedLogs();
        await using var app = await TestApp.StartAsync(TestDatabase.Unreachable(), migrate: false,
            settings: new Dictionary<string, string?> { ["Perennial:Scheduler:Enabled"] = "true" },
            services: s => s.AddSingleton<IScheduledJob>(job).AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.CreateClient().GetAsync("/health")).StatusCode);
        await EventuallyAsync(() => logs.Entries.Any(e => e.Message.Contains("the database is unreachable", StringComparison.Ordinal)),
            "the scheduler said it waits for the database");

        // The database comes back (here: its folder and file appear, and an operator migrates it).
        var file = Path.Combine(app.Database.DataDirectory, "missing", "perennial.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, []);
        await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Database.MigrateAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health")).StatusCode);
        await SettleAsync();
        Assert.Equal(0, job.Runs);

        app.Time.Advance(SchedulerHost.RetryDelay);
        await EventuallyAsync(() => job.Runs == 1, "the job ran once the scheduler could start");
    }

    [Fact]
    public async Task An_instance_started_before_the_database_is_migrated_starts_its_jobs_after_perennial_db_migrate()
    {
        var job = new CountingJob("after-upgrade", TimeSpan.FromHours(1));
        var logs = new CapturedLogs();
        await using var app = await TestApp.StartAsync(DatabaseProvider.Postgres, migrate: false,
            settings: new Dictionary<string, string?> { ["Perennial:Scheduler:Enabled"] = "true" },
            services: s => s.AddSingleton<IScheduledJob>(job).AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        await EventuallyAsync(() => logs.Entries.Any(e => e.Message.Contains("not applied yet", StringComparison.Ordinal)),
            "the scheduler said it waits for the migrations");

        Assert.Equal(0, (await app.RunCliAsync("", "db", "migrate")).ExitCode);
        app.Time.Advance(SchedulerHost.RetryDelay);
        await EventuallyAsync(() => job.Runs == 1, "the job ran once the database was migrated");
    }
}
