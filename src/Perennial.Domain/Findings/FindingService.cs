using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Findings;

public enum FindingStatus
{
    Open = 1,
    Fixed = 2,
    Overdue = 3,
}

/// <summary>Filters for finding lists; every field narrows the result.</summary>
public sealed record FindingQuery(
    FindingStatus? Status = null,
    FindingSeverity? Severity = null,
    string? Target = null,
    Guid? ActivityId = null);

/// <summary>Open findings of one remediation activity: counts by severity and the overdue ones.</summary>
public sealed record OpenFindingsSummary(IReadOnlyDictionary<FindingSeverity, int> OpenBySeverity, int Overdue, IReadOnlyList<Finding> OverdueFindings)
{
    public int Open => OpenBySeverity.Values.Sum();
}

/// <summary>Lists findings, answers what is overdue, and keeps the organisation's remediation deadlines.</summary>
public sealed class FindingService(PerennialDbContext db, TimeProvider time)
{
    public const string VulnerabilityScanTemplate = "vulnerability-scan";

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<Paged<Finding>> ListAsync(Guid organisationId, FindingQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var items = Filter(organisationId, query, Today);
        // Open before fixed, then the earliest deadline, then the worst severity.
        return await items.OrderBy(f => f.FixedAt != null).ThenBy(f => f.DueOn == null).ThenBy(f => f.DueOn)
            .ThenByDescending(f => f.Severity).ThenBy(f => f.Target).ThenBy(f => f.RuleId).ThenBy(f => f.Id)
            .ToPagedAsync(page, ct);
    }

    public IQueryable<Finding> Filter(Guid organisationId, FindingQuery query, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(query);
        var items = db.Findings.AsNoTracking().Where(f => f.OrganisationId == organisationId);
        items = query.Status switch
        {
            FindingStatus.Open => items.Where(f => f.FixedAt == null),
            FindingStatus.Fixed => items.Where(f => f.FixedAt != null),
            FindingStatus.Overdue => items.Where(f => f.FixedAt == null && f.DueOn != null && f.DueOn < today),
            _ => items,
        };
        if (query.Severity is { } severity)
        {
            items = items.Where(f => f.Severity == severity);
        }

        if (!string.IsNullOrWhiteSpace(query.Target))
        {
            var target = query.Target.Trim().ToLower();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            items = items.Where(f => f.Target.ToLower().Contains(target));
#pragma warning restore CA1862
        }

        if (query.ActivityId is { } activityId)
        {
            items = items.Where(f => f.ActivityId == activityId);
        }

        return items;
    }

    public async Task<Finding> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Findings.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.OrganisationId == organisationId, ct)
        ?? throw UseCaseException.NotFound("No such finding.");

    /// <summary>
    /// The open findings a remediation activity follows up: those linked to it, and, for the
    /// organisation's vulnerability-scan activity, those linked to no activity.
    /// </summary>
    public async Task<OpenFindingsSummary> OpenForActivityAsync(Guid organisationId, Guid activityId, string? templateKey, int overdueListed, CancellationToken ct)
    {
        var includeUnlinked = string.Equals(templateKey, VulnerabilityScanTemplate, StringComparison.Ordinal);
        var today = Today;
        var open = db.Findings.AsNoTracking()
            .Where(f => f.OrganisationId == organisationId && f.FixedAt == null && (f.ActivityId == activityId || (includeUnlinked && f.ActivityId == null)));
        var counts = await open.GroupBy(f => f.Severity).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var overdue = open.Where(f => f.DueOn != null && f.DueOn < today);
        var overdueCount = await overdue.CountAsync(ct);
        var listed = await overdue.OrderBy(f => f.DueOn).ThenByDescending(f => f.Severity).ThenBy(f => f.Id).Take(overdueListed).ToListAsync(ct);
        return new OpenFindingsSummary(counts.ToDictionary(c => c.Key, c => c.Count), overdueCount, listed);
    }

    public async Task<FindingDeadlines> GetDeadlinesAsync(Guid organisationId, CancellationToken ct)
    {
        var settings = await db.FindingSettings.AsNoTracking().SingleOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
        return settings?.ToDeadlines() ?? FindingDeadlines.Default;
    }

    /// <summary>Saves new deadlines and moves every finding's due date to match them.</summary>
    public async Task<FindingDeadlines> SetDeadlinesAsync(Guid organisationId, FindingDeadlines deadlines, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deadlines);
        Check(deadlines.CriticalDays, "critical");
        Check(deadlines.HighDays, "high");
        Check(deadlines.MediumDays, "medium");
        Check(deadlines.LowDays, "low");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"findings:{organisationId}", ct);
        var settings = await db.FindingSettings.SingleOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
        if (settings is null)
        {
            settings = new FindingSettings { Id = Guid.CreateVersion7(time.GetUtcNow()), OrganisationId = organisationId };
            db.FindingSettings.Add(settings);
        }

        settings.CriticalDays = deadlines.CriticalDays;
        settings.HighDays = deadlines.HighDays;
        settings.MediumDays = deadlines.MediumDays;
        settings.LowDays = deadlines.LowDays;
        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);

        foreach (var severity in new[] { FindingSeverity.Critical, FindingSeverity.High, FindingSeverity.Medium, FindingSeverity.Low })
        {
            var days = deadlines.DaysFor(severity)!.Value;
            // First seen is an instant; its UTC date plus the deadline is the due date. Done in batches
            // in memory: date arithmetic on instants does not translate alike on both providers.
            var rows = await db.Findings.Where(f => f.OrganisationId == organisationId && f.Severity == severity).ToListAsync(ct);
            foreach (var finding in rows)
            {
                finding.DueOn = DateOnly.FromDateTime(finding.FirstSeenAt.UtcDateTime).AddDays(days);
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(ct);
        return settings.ToDeadlines();
    }

    private static void Check(int days, string field)
    {
        if (days is < 1 or > FindingDeadlines.MaxDays)
        {
            throw UseCaseException.Invalid(field, $"{field} must be a number of days between 1 and {FindingDeadlines.MaxDays}.");
        }
    }
}
