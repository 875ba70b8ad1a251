using Perennial.Data;
using Perennial.Hosting;
using Quartz;

namespace Perennial.Scheduling;

/// <summary>
/// Background jobs run on Quartz.NET with its ADO.NET job store in Perennial's own database (the
/// <c>qrtz_*</c> tables, created by the migrations). On PostgreSQL the store is clustered, so any
/// number of instances share the schedule and each firing runs on exactly one of them.
/// </summary>
public static class SchedulingServiceCollectionExtensions
{
    /// <summary>Quartz's scheduler name: the same in every instance, which is what makes them one cluster.</summary>
    public const string SchedulerName = "Perennial";

    /// <summary>How long each run stays in the execution history (the per-job status is kept for good).</summary>
    public static readonly TimeSpan HistoryRetention = TimeSpan.FromDays(90);

    public static IServiceCollection AddPerennialScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        var perennial = configuration.GetSection(PerennialOptions.Section).Get<PerennialOptions>() ?? new PerennialOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!perennial.Scheduler.Enabled)
        {
            // No scheduler at all: this instance neither fires nor checks in to the cluster.
            return services;
        }

        var connectionString = DataServiceCollectionExtensions.ResolveConnectionString(database, perennial.DataDirectory);
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = SchedulerName);
            q.AddJobType<ScheduledJobRunner>();
            q.UsePersistentStore(store =>
            {
                if (database.ParsedProvider == DatabaseProvider.Postgres)
                {
                    store.UsePostgres(connectionString);
                    store.UseClustering();
                }
                else
                {
                    // SQLite is one file owned by one process: Quartz refuses to cluster on it.
                    store.UseSqlite(connectionString);
                }

                // Each run's outcome and summary go to qrtz_execution_history, and each job's last
                // result, failure and counts to qrtz_job_status, shared by the cluster.
                store.UseExecutionHistory();
            });
        });
        services.Configure<ExecutionHistoryOptions>(o => o.Retention = HistoryRetention);
        services.AddSingleton<ScheduledJobRegistrar>();
        services.AddHostedService<SchedulerHost>();
        return services;
    }
}
