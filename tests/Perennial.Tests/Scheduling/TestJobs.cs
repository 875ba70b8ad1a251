using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Scheduling;
using Quartz;
using Quartz.Extensibility;

namespace Perennial.Tests.Scheduling;

/// <summary>Which app instance a job ran in: each test instance registers its own.</summary>
internal sealed record InstanceMarker(string Name);

/// <summary>A job that counts its runs, notes where and in which scope each ran, and can fail or take its time.</summary>
internal sealed class CountingJob(string name, TimeSpan interval, bool fail = false, TimeSpan? takes = null) : IScheduledJob
{
    private int runs;
    private int running;
    private int mostAtOnce;

    public string Name => name;
    public TimeSpan Interval => interval;
    public int Runs => Volatile.Read(ref runs);
    public int MostAtOnce => Volatile.Read(ref mostAtOnce);
    public ConcurrentQueue<string> Instances { get; } = new();
    public ConcurrentQueue<object> Contexts { get; } = new();

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref running);
        InterlockedMax(ref mostAtOnce, now);
        try
        {
            Instances.Enqueue(services.GetService<InstanceMarker>()?.Name ?? "");
            Contexts.Enqueue(services.GetRequiredService<PerennialDbContext>());
            if (takes is { } duration)
            {
                await Task.Delay(duration, ct);
            }

            return fail ? throw new InvalidOperationException($"deliberate failure of {name}") : JobResult.Ok($"{name} done");
        }
        finally
        {
            Interlocked.Increment(ref runs);
            Interlocked.Decrement(ref running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

internal static class SchedulerWait
{
    /// <summary>How long to wait for something the scheduler should do within a second or so.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Waits (in real time, briefly) for the scheduler to act on a move of the fake clock.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Patience)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Long enough for a scheduler that was going to fire (again) to have done so.</summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(750));

    /// <summary>What Quartz's execution history says about a job's runs, once it has recorded <paramref name="runs"/> of them.</summary>
    public static async Task<JobRunStatus> StatusAsync(Infrastructure.TestApp app, string job, long runs)
    {
        var history = app.Services.GetRequiredService<IExecutionHistoryStore>();
        var key = new JobKey(job, ScheduledJobRegistrar.Group);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var status = await history.GetJobRunStatus(SchedulingServiceCollectionExtensions.SchedulerName, key, CancellationToken.None);
            if (status is not null && status.RunCount >= runs)
            {
                return status;
            }

            if (waited.Elapsed > Patience)
            {
                Assert.Fail($"Quartz recorded {status?.RunCount ?? 0} run(s) of {job}, not {runs}.");
            }

            await Task.Delay(25);
        }
    }
}
