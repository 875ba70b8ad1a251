using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Perennial.Data;
using Perennial.Tests.Infrastructure;
using static Perennial.Tests.Scheduling.SchedulerWait;

namespace Perennial.Tests.Scheduling;

/// <summary>Two app instances on one PostgreSQL database form one Quartz cluster.</summary>
public sealed class SchedulerClusterTests
{
    private static readonly Dictionary<string, string?> On = new() { ["Perennial:Scheduler:Enabled"] = "true" };

    [Fact]
    public async Task Two_instances_run_each_firing_of_a_job_exactly_once_and_one_carries_on_when_the_other_stops()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        var clock = TestApp.NewClock();
        // One job object shared by both instances counts the runs of either; each run takes a moment,
        // so that two instances running the same firing would overlap.
        var job = new CountingJob("shared", TimeSpan.FromHours(1), takes: TimeSpan.FromMilliseconds(200));
        var first = await TestApp.StartAsync(database, settings: On, ownsDatabase: false, time: clock,
            services: s => s.AddSingleton<Perennial.Scheduling.IScheduledJob>(job).AddSingleton(new InstanceMarker("first")));
        await using var second = await TestApp.StartAsync(database, settings: On, migrate: false, ownsDatabase: false, time: clock,
            services: s => s.AddSingleton<Perennial.Scheduling.IScheduledJob>(job).AddSingleton(new InstanceMarker("second")));
        try
        {
            await EventuallyAsync(() => job.Runs == 1, "the job ran once on start");
            // Both instances check in to the cluster once their schedulers start. On a loaded machine
            // the second start can meet a busy database and wait for its retry (RetryDelay on the
            // app's clock): move the clock by that much, well inside the job's hour, when it stalls.
            var joining = System.Diagnostics.Stopwatch.StartNew();
            var stalled = System.Diagnostics.Stopwatch.StartNew();
            while (joining.Elapsed < TimeSpan.FromSeconds(90) && await CountAsync(database, "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'Perennial'") < 2)
            {
                if (stalled.Elapsed > TimeSpan.FromSeconds(5))
                {
                    clock.Advance(Perennial.Scheduling.SchedulerHost.RetryDelay);
                    stalled.Restart();
                }

                await Task.Delay(50);
            }

            Assert.Equal(2, await CountAsync(database, "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'Perennial'"));
            await SettleAsync();
            Assert.Equal(1, job.Runs);

            for (var firing = 2; firing <= 6; firing++)
            {
                clock.Advance(TimeSpan.FromHours(1));
                await EventuallyAsync(() => job.Runs == firing, $"firing {firing} ran");
                await SettleAsync();
                Assert.Equal(firing, job.Runs);
            }

            Assert.Equal(1, job.MostAtOnce);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The first instance is gone; the second runs the next firing on its own.
        clock.Advance(TimeSpan.FromHours(1));
        await EventuallyAsync(() => job.Runs == 7, "the remaining instance ran the next firing");
        Assert.Equal("second", job.Instances.Last());
        await SettleAsync();
        Assert.Equal(7, job.Runs);
    }

    [Fact]
    public async Task A_job_left_running_by_an_instance_that_died_is_released_by_the_cluster_and_runs_again()
    {
        var job = new CountingJob("hourly", TimeSpan.FromHours(1));
        await using var app = await TestApp.StartAsync(DatabaseProvider.Postgres, settings: On,
            services: s => s.AddSingleton<Perennial.Scheduling.IScheduledJob>(job));
        await EventuallyAsync(() => job.Runs == 1, "the job ran once on start");
        for (var i = 0; i < 400 && await CountAsync(app.Database, "SELECT count(*) FROM qrtz_fired_triggers") > 0; i++)
        {
            await Task.Delay(25);
        }

        // Another node of the cluster took the next firing and died while running it: Quartz's tables
        // hold what that leaves behind (its last check-in, its firing still executing, the job's
        // trigger blocked because the job allows one run at a time).
        var ticks = app.Time.GetUtcNow().UtcTicks;
        await app.Database.ExecuteAsync($"""
            INSERT INTO qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
                VALUES ('Perennial', 'dead-node', {ticks}, 15000);
            INSERT INTO qrtz_fired_triggers (sched_name, entry_id, trigger_name, trigger_group, instance_name, fired_time, sched_time,
                priority, state, job_name, job_group, is_nonconcurrent, requests_recovery)
                VALUES ('Perennial', 'dead-node-1', 'hourly', 'perennial', 'dead-node', {ticks}, {ticks}, 5, 'EXECUTING', 'hourly', 'perennial', true, false);
            UPDATE qrtz_triggers SET trigger_state = 'BLOCKED' WHERE trigger_name = 'hourly';
            """);

        // Time passes; the dead node never checks in again, and the live one releases its firing.
        app.Time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 80 && job.Runs < 2; i++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(15));
            await Task.Delay(250);
        }

        Assert.Equal(2, job.Runs);
        Assert.Equal(0, await CountAsync(app.Database, "SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = 'dead-node'"));
    }

    private static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
