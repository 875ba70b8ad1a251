using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.AuditTrail;

public sealed record HistoryItem(long Sequence, DateTimeOffset At, string Actor, string EntityType, Guid EntityId, string Action, IReadOnlyList<AuditChange> Changes, Guid? ActorUserId = null);

/// <summary>Reads the audit trail of one organisation, optionally narrowed to one record.</summary>
public sealed class AuditHistory(PerennialDbContext db)
{
    public async Task<Paged<HistoryItem>> ForOrganisationAsync(Guid organisationId, string? entityType, Guid? entityId, PageRequest page, CancellationToken ct)
    {
        var query = db.AuditEntries.AsNoTracking().Where(e => e.OrganisationId == organisationId);
        if (!string.IsNullOrWhiteSpace(entityType))
        {
            query = query.Where(e => e.EntityType == entityType);
        }

        if (entityId is { } id)
        {
            query = query.Where(e => e.EntityId == id);
        }

        var rows = await query.OrderByDescending(e => e.Sequence).ToPagedAsync(page, ct);
        return new Paged<HistoryItem>(rows.Items.Select(ToItem).ToList(), rows.Page, rows.PageSize, rows.Total);
    }

    /// <summary>Installation-wide records (accounts, API tokens), which belong to no organisation.</summary>
    public async Task<Paged<HistoryItem>> ForInstallationAsync(string? entityType, Guid? entityId, PageRequest page, CancellationToken ct)
    {
        var query = db.AuditEntries.AsNoTracking().Where(e => e.OrganisationId == null);
        if (!string.IsNullOrWhiteSpace(entityType))
        {
            query = query.Where(e => e.EntityType == entityType);
        }

        if (entityId is { } id)
        {
            query = query.Where(e => e.EntityId == id);
        }

        var rows = await query.OrderByDescending(e => e.Sequence).ToPagedAsync(page, ct);
        return new Paged<HistoryItem>(rows.Items.Select(ToItem).ToList(), rows.Page, rows.PageSize, rows.Total);
    }

    private static HistoryItem ToItem(AuditEntry e) =>
        new(e.Sequence, e.At, e.ActorName, e.EntityType, e.EntityId, e.Action.ToString(), AuditRecorder.ReadChanges(e.Changes), e.ActorUserId);
}
