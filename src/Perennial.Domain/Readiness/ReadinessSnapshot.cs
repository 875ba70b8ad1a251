using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perennial.Common;
using Perennial.Data;
using Perennial.Scheduling;

namespace Perennial.Readiness;

/// <summary>The readiness score of one day, kept so its trend over the cycle can be drawn.</summary>
public sealed class ReadinessSnapshot
{
    public Guid Id { get; set; }
    public Guid OrganisationId { get; set; }
    public DateOnly Day { get; set; }

    /// <summary>The audit the score was computed for (the next external audit on that day).</summary>
    public DateOnly AuditDate { get; set; }
    public int Score { get; set; }
    public int Gaps { get; set; }
    public int ForecastScore { get; set; }
    public int ForecastGaps { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ReadinessSnapshotConfiguration : IEntityTypeConfiguration<ReadinessSnapshot>
{
    public void Configure(EntityTypeBuilder<ReadinessSnapshot> builder)
    {
        builder.HasIndex(s => new { s.OrganisationId, s.Day }).IsUnique();
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Writes and reads the daily readiness snapshots.</summary>
public sealed class ReadinessSnapshots(PerennialDbContext db, ReadinessService readiness)
{
    /// <summary>
    /// Records today's score for the next external audit (replacing an earlier one of the same day);
    /// returns null for an organisation with no external audit ahead.
    /// </summary>
    public async Task<ReadinessSnapshot?> TakeAsync(Guid organisationId, DateTimeOffset now, CancellationToken ct)
    {
        ReadinessReport report;
        try
        {
            report = await readiness.ComputeAsync(organisationId, new ReadinessQuery(), now, ct);
        }
        catch (UseCaseException e) when (e.Field == "auditDate")
        {
            return null;
        }

        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var snapshot = await db.ReadinessSnapshots.FirstOrDefaultAsync(s => s.OrganisationId == organisationId && s.Day == day, ct);
        if (snapshot is null)
        {
            snapshot = new ReadinessSnapshot { Id = Guid.NewGuid(), OrganisationId = organisationId, Day = day };
            db.ReadinessSnapshots.Add(snapshot);
        }

        snapshot.AuditDate = report.AuditDate;
        snapshot.Score = report.Score.Value;
        snapshot.Gaps = report.Gaps.Count;
        snapshot.ForecastScore = report.ForecastScore.Value;
        snapshot.ForecastGaps = report.Forecast.Count;
        snapshot.CreatedAt = now;
        await db.SaveChangesAsync(ct);
        return snapshot;
    }

    public async Task<ReadinessSnapshot?> LatestAsync(Guid organisationId, CancellationToken ct) =>
        await db.ReadinessSnapshots.AsNoTracking().Where(s => s.OrganisationId == organisationId).OrderByDescending(s => s.Day).FirstOrDefaultAsync(ct);

    public async Task<IReadOnlyList<ReadinessSnapshot>> BetweenAsync(Guid organisationId, DateOnly from, DateOnly to, CancellationToken ct) =>
        await db.ReadinessSnapshots.AsNoTracking()
            .Where(s => s.OrganisationId == organisationId && s.Day >= from && s.Day <= to)
            .OrderBy(s => s.Day).ToListAsync(ct);
}

/// <summary>Takes every organisation's readiness snapshot once a day.</summary>
public sealed class ReadinessSnapshotJob : IScheduledJob
{
    public string Name => "readiness-snapshot";
    public TimeSpan Interval => TimeSpan.FromDays(1);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PerennialDbContext>();
        var snapshots = services.GetRequiredService<ReadinessSnapshots>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var logger = services.GetRequiredService<ILogger<ReadinessSnapshotJob>>();
        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Slug).Select(o => new { o.Id, o.Slug }).ToListAsync(ct);
        var (taken, failed) = (0, new List<string>());
        foreach (var organisation in organisations)
        {
            try
            {
                taken += await snapshots.TakeAsync(organisation.Id, now, ct) is null ? 0 : 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One organisation's bad data must not stop the others' snapshots.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "Could not take the readiness snapshot of organisation {Organisation}", organisation.Slug);
                failed.Add(organisation.Slug);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        var summary = $"Readiness snapshots taken for {taken} of {organisations.Count} organisation(s)";
        return failed.Count > 0 ? JobResult.Failed($"{summary}; failed for {string.Join(", ", failed)}")
            : taken == 0 ? JobResult.Idle(summary) : JobResult.Ok(summary);
    }
}
