using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Perennial.Data;
using Perennial.Scheduling;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Scheduling;

public sealed class SqliteSchedulerTests() : SchedulerTests(DatabaseProvider.Sqlite);

public sealed class PostgresSchedulerTests() : SchedulerTests(DatabaseProvider.Postgres);

/// <summary>Background jobs: due dates, leases shared by instances, failures recorded.</summary>
public abstract class SchedulerTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestApp app = null!;

    public async ValueTask InitializeAsync() =>
        app = await TestApp.StartAsync(provider, settings: new Dictionary<string, string?> { ["Perennial:Scheduler:Enabled"] = "false" });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private Scheduler NewInstance(params IScheduledJob[] jobs) =>
        new(app.Services.GetRequiredService<IServiceScopeFactory>(), jobs, app.Time, NullLogger<Scheduler>.Instance);

    private Task<ScheduledJobState> StateAsync(string name) =>
        app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().ScheduledJobs.AsNoTracking().SingleAsync(j => j.Name == name));

    [Fact]
    public async Task A_job_runs_when_due_and_again_only_after_its_interval()
    {
        var job = new CountingJob("count", TimeSpan.FromHours(6));
        var scheduler = NewInstance(job);

        await scheduler.RunDueJobsAsync(CancellationToken.None);
        await scheduler.RunDueJobsAsync(CancellationToken.None);
        Assert.Equal(1, job.Runs);

        app.Time.Advance(TimeSpan.FromHours(5));
        await scheduler.RunDueJobsAsync(CancellationToken.None);
        Assert.Equal(1, job.Runs);

        app.Time.Advance(TimeSpan.FromHours(1));
        await scheduler.RunDueJobsAsync(CancellationToken.None);
        Assert.Equal(2, job.Runs);
        var state = await StateAsync("count");
        Assert.Equal(2, state.RunCount);
        Assert.Equal(JobOutcome.Succeeded, state.LastOutcome);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromHours(6), state.NextRunAt);
        Assert.Null(state.LeaseOwner);
    }

    [Fact]
    public async Task Two_instances_never_run_the_same_job_at_once()
    {
        var release = new TaskCompletionSource();
        var job = new CountingJob("exclusive", TimeSpan.FromDays(1), release.Task);
        var first = NewInstance(job);
        var second = NewInstance(job);

        var running = first.RunDueJobsAsync(CancellationToken.None);
        await job.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var ranOnSecond = await second.RunDueJobsAsync(CancellationToken.None);
        release.SetResult();
        var ranOnFirst = await running;

        Assert.Equal(0, ranOnSecond);
        Assert.Equal(1, ranOnFirst);
        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task A_lease_left_by_an_instance_that_died_is_taken_over_after_it_expires()
    {
        var job = new CountingJob("orphaned", TimeSpan.FromDays(1));
        await NewInstance(job).RunDueJobsAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromDays(1));
        await app.Database.ExecuteAsync($"UPDATE \"ScheduledJobs\" SET \"LeaseOwner\" = 'dead-instance', \"LeaseUntil\" = \"NextRunAt\" WHERE \"Name\" = 'orphaned'");
        var survivor = NewInstance(job);

        Assert.Equal(0, await survivor.RunDueJobsAsync(CancellationToken.None));
        app.Time.Advance(Scheduler.LeaseDuration + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await survivor.RunDueJobsAsync(CancellationToken.None));
        Assert.Equal(2, job.Runs);
    }

    [Fact]
    public async Task A_job_that_throws_is_recorded_as_failed_and_does_not_stop_the_others()
    {
        var failing = new CountingJob("failing", TimeSpan.FromHours(1), fail: true);
        var healthy = new CountingJob("healthy", TimeSpan.FromHours(1));

        var ran = await NewInstance(failing, healthy).RunDueJobsAsync(CancellationToken.None);

        Assert.Equal(2, ran);
        Assert.Equal(1, healthy.Runs);
        var state = await StateAsync("failing");
        Assert.Equal(JobOutcome.Failed, state.LastOutcome);
        Assert.Contains("deliberate failure", state.LastMessage, StringComparison.Ordinal);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromHours(1), state.NextRunAt);
    }

    [Fact]
    public async Task The_daily_audit_trail_check_records_tampering()
    {
        var admin = await app.CreateUserAsync("admin@jobs.test");
        await app.CreateOrganisationAsync("jobs", admin.Id);
        var scheduler = app.Services.GetRequiredService<Scheduler>();
        await scheduler.RunDueJobsAsync(CancellationToken.None);
        Assert.Equal(JobOutcome.Succeeded, (await StateAsync("audit-trail-check")).LastOutcome);

        await app.Database.ExecuteAsync("UPDATE \"AuditEntries\" SET \"ActorName\" = 'someone else' WHERE \"Sequence\" = 1");
        app.Time.Advance(TimeSpan.FromDays(1));
        await scheduler.RunDueJobsAsync(CancellationToken.None);

        var state = await StateAsync("audit-trail-check");
        Assert.Equal(JobOutcome.Failed, state.LastOutcome);
        Assert.Contains("broken at entry 1", state.LastMessage, StringComparison.Ordinal);
    }

    private sealed class CountingJob(string name, TimeSpan interval, Task? wait = null, bool fail = false) : IScheduledJob
    {
        private int runs;

        public string Name => name;
        public TimeSpan Interval => interval;
        public int Runs => runs;
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
        {
            Interlocked.Increment(ref runs);
            Started.TrySetResult();
            if (wait is not null)
            {
                await wait;
            }

            return fail ? throw new InvalidOperationException("deliberate failure") : JobResult.Ok("done");
        }
    }
}
