using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;
using Perennial.Risks;

namespace Perennial.Incidents;

public sealed record IncidentInput(DateOnly OccurredOn, string Title, IncidentSeverity Severity, IReadOnlyList<Guid>? AssetIds);

/// <summary>The incident recorded, and how many risk reviews it brought forward.</summary>
public sealed record IncidentRecorded(Incident Incident, IReadOnlyList<string> Assets, int ReviewsBroughtForward);

public sealed record IncidentListItem(
    Guid Id, string Reference, DateOnly OccurredOn, string Title, IncidentSeverity Severity,
    IReadOnlyList<Guid> AssetIds, IReadOnlyList<string> Assets, DateTimeOffset CreatedAt);

/// <summary>Security incidents, a light record for now: each one brings forward the reviews of the risks on its assets.</summary>
public sealed class IncidentService(PerennialDbContext db, TimeProvider time, RiskService risks)
{
    public const int TitleMax = 300;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IncidentRecorded> RecordAsync(Guid organisationId, IncidentInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var title = (input.Title ?? "").Trim();
        if (title.Length == 0)
        {
            throw UseCaseException.Invalid("title", "The incident needs a title.");
        }

        if (title.Length > TitleMax)
        {
            throw UseCaseException.Invalid("title", $"The title is at most {TitleMax} characters.");
        }

        if (!Enum.IsDefined(input.Severity))
        {
            throw UseCaseException.Invalid("severity", "severity must be one of low, medium, high, critical.");
        }

        if (input.OccurredOn > Today)
        {
            throw UseCaseException.Invalid("date", "An incident is recorded once it has happened: the date cannot be after today.");
        }

        var assetIds = (input.AssetIds ?? []).Distinct().ToList();
        if (assetIds.Count > 0 && await db.Assets.CountAsync(a => a.OrganisationId == organisationId && assetIds.Contains(a.Id), ct) != assetIds.Count)
        {
            throw UseCaseException.Invalid("assetIds", "Every asset must be one of this organisation's assets.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"incidents:{organisationId}", ct);
        var number = await db.Incidents.CountAsync(i => i.OrganisationId == organisationId, ct) + 1;
        var incident = new Incident
        {
            OrganisationId = organisationId,
            Reference = $"IN-{number:000}",
            OccurredOn = input.OccurredOn,
            Title = title,
            Severity = input.Severity,
            CreatedAt = time.GetUtcNow(),
        };
        while (await db.Incidents.AnyAsync(i => i.OrganisationId == organisationId && i.Reference == incident.Reference, ct))
        {
            incident.Reference = $"IN-{++number:000}";
        }

        incident.Assets.AddRange(assetIds.Select(id => new IncidentAsset { AssetId = id }));
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        var triggered = 0;
        if (assetIds.Count > 0)
        {
            var riskIds = await db.Risks.AsNoTracking()
                .Where(r => r.OrganisationId == organisationId && r.Status == RiskStatus.Open && r.Assets.Any(a => assetIds.Contains(a.AssetId)))
                .Select(r => r.Id).ToListAsync(ct);
            if (riskIds.Count > 0)
            {
                triggered = await risks.TriggerReviewsAsync(organisationId, riskIds, $"Incident {incident.Reference}: {incident.Title}", ct);
            }
        }

        await transaction.CommitAsync(ct);
        var names = assetIds.Count == 0 ? [] : await db.Assets.AsNoTracking().Where(a => assetIds.Contains(a.Id)).OrderBy(a => a.Name).Select(a => a.Name).ToListAsync(ct);
        return new IncidentRecorded(incident, names, triggered);
    }

    /// <summary>Incidents, most recent first.</summary>
    public async Task<Paged<IncidentListItem>> ListAsync(Guid organisationId, PageRequest page, CancellationToken ct)
    {
        var rows = await db.Incidents.AsNoTracking().Include(i => i.Assets)
            .Where(i => i.OrganisationId == organisationId)
            .OrderByDescending(i => i.OccurredOn).ThenByDescending(i => i.CreatedAt)
            .ToPagedAsync(page, ct);
        var ids = rows.Items.SelectMany(i => i.Assets.Select(a => a.AssetId)).Distinct().ToList();
        var names = ids.Count == 0 ? [] : await db.Assets.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var items = rows.Items.Select(i => new IncidentListItem(i.Id, i.Reference, i.OccurredOn, i.Title, i.Severity,
            i.Assets.Select(a => a.AssetId).ToList(),
            i.Assets.Select(a => names.TryGetValue(a.AssetId, out var n) ? n : "").Where(n => n.Length > 0).Order(StringComparer.Ordinal).ToList(),
            i.CreatedAt)).ToList();
        return new Paged<IncidentListItem>(items, rows.Page, rows.PageSize, rows.Total);
    }
}
