using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;
using Perennial.Risks;

namespace Perennial.Incidents;

public sealed record IncidentInput(
    DateOnly OccurredOn, string Title, IncidentSeverity Severity, IReadOnlyList<Guid>? AssetIds, string? Description = null, IReadOnlyList<Guid>? ControlIds = null);

/// <summary>An incident with everything its page shows: assets and controls by name, its timeline, and the nonconformities it raised.</summary>
public sealed record IncidentView(
    Incident Incident, IReadOnlyList<(Guid Id, string Name)> Assets, IReadOnlyList<(Guid Id, string Identifier, string Title, string FrameworkKey)> Controls,
    IReadOnlyList<IncidentEvent> Timeline, IReadOnlyList<(Guid Id, string Reference, string Title, string Status)> Nonconformities,
    IReadOnlyList<(Guid Id, string Reference, string Title, DateOnly NextReviewOn, DateOnly? LastReviewedOn)> Risks);

/// <summary>The incident recorded, and how many risk reviews it brought forward.</summary>
public sealed record IncidentRecorded(Incident Incident, IReadOnlyList<string> Assets, int ReviewsBroughtForward);

public sealed record IncidentListItem(
    Guid Id, string Reference, DateOnly OccurredOn, string Title, IncidentSeverity Severity,
    IReadOnlyList<Guid> AssetIds, IReadOnlyList<string> Assets, DateTimeOffset CreatedAt);

/// <summary>
/// Security incidents: severity, a timeline of events, the assets and controls affected, lessons
/// learned when resolved, and the nonconformities raised from them. Recording one brings forward the
/// reviews of the risks on its assets.
/// </summary>
public sealed class IncidentService(PerennialDbContext db, TimeProvider time, RiskService risks)
{
    public const int TitleMax = 300;
    public const int MaxTimelineEvents = 500;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IncidentRecorded> RecordAsync(Guid organisationId, IncidentInput input, CancellationToken ct, string? author = null)
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

        var description = TextInput.Clean(input.Description, "description", Incident.TextMaxLength);
        var controlIds = (input.ControlIds ?? []).Distinct().ToList();
        if (controlIds.Count > 0 && await db.Controls.CountAsync(c => c.OrganisationId == organisationId && controlIds.Contains(c.Id), ct) != controlIds.Count)
        {
            throw UseCaseException.Invalid("controlIds", "Every control must be one of this organisation's controls.");
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
            Description = description,
            CreatedAt = time.GetUtcNow(),
        };
        while (await db.Incidents.AnyAsync(i => i.OrganisationId == organisationId && i.Reference == incident.Reference, ct))
        {
            incident.Reference = $"IN-{++number:000}";
        }

        incident.Assets.AddRange(assetIds.Select(id => new IncidentAsset { AssetId = id }));
        incident.Controls.AddRange(controlIds.Select(id => new IncidentControl { ControlId = id }));
        incident.Events.Add(new IncidentEvent
        {
            Id = Guid.NewGuid(),
            At = incident.CreatedAt,
            Text = "Incident recorded",
            Author = Author(author),
            RecordedAt = incident.CreatedAt,
        });
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
                db.IncidentRisks.AddRange(riskIds.Select(r => new IncidentRisk { IncidentId = incident.Id, RiskId = r }));
                await db.SaveChangesAsync(ct);
                triggered = await risks.TriggerReviewsAsync(organisationId, riskIds, $"Incident {incident.Reference}: {incident.Title}", ct);
            }
        }

        if (triggered > 0)
        {
            var stored = await db.Incidents.SingleAsync(i => i.Id == incident.Id, ct);
            stored.ReviewsBroughtForward = triggered;
            await db.SaveChangesAsync(ct);
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

    public async Task<IncidentView> GetAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var incident = await db.Incidents.AsNoTracking().Include(i => i.Assets).Include(i => i.Controls).Include(i => i.Events).AsSplitQuery()
            .FirstOrDefaultAsync(i => i.OrganisationId == organisationId && i.Id == id, ct)
            ?? throw UseCaseException.NotFound("No such incident in this organisation.");
        var assetIds = incident.Assets.Select(a => a.AssetId).ToList();
        var assets = await db.Assets.AsNoTracking().Where(a => assetIds.Contains(a.Id)).OrderBy(a => a.Name).Select(a => new { a.Id, a.Name }).ToListAsync(ct);
        var controlIds = incident.Controls.Select(c => c.ControlId).ToList();
        var controls = await db.Controls.AsNoTracking().Where(c => controlIds.Contains(c.Id)).OrderBy(c => c.SortOrder)
            .Select(c => new { c.Id, c.Identifier, c.Title, FrameworkKey = c.Framework!.Key }).ToListAsync(ct);
        var ncs = await db.Nonconformities.AsNoTracking().Where(n => n.OrganisationId == organisationId && n.IncidentId == id).OrderBy(n => n.Reference)
            .Select(n => new { n.Id, n.Reference, n.Title, n.Status }).ToListAsync(ct);
        var linked = await (
                from l in db.IncidentRisks.AsNoTracking()
                join r in db.Risks on l.RiskId equals r.Id
                where l.IncidentId == id
                orderby r.Reference
                select new { r.Id, r.Reference, r.Title, r.NextReviewOn, r.LastReviewedOn })
            .ToListAsync(ct);
        return new IncidentView(incident, [.. assets.Select(a => (a.Id, a.Name))], [.. controls.Select(c => (c.Id, c.Identifier, c.Title, c.FrameworkKey))],
            [.. incident.Events.OrderBy(e => e.At).ThenBy(e => e.RecordedAt)], [.. ncs.Select(n => (n.Id, n.Reference, n.Title, Nonconformities.NonconformityNames.Name(n.Status)))],
            [.. linked.Select(r => (r.Id, r.Reference, r.Title, r.NextReviewOn, r.LastReviewedOn))]);
    }

    /// <summary>Adds an entry to the timeline: detected, contained, notified, recovered, … at the moment it happened.</summary>
    public async Task<IncidentEvent> AddEventAsync(Guid organisationId, Guid id, DateTimeOffset? at, string? text, string? author, CancellationToken ct)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.OrganisationId == organisationId && i.Id == id, ct)
            ?? throw UseCaseException.NotFound("No such incident in this organisation.");
        var clean = TextInput.Clean(text, "text", IncidentEvent.TextMaxLength, required: true)!;
        var now = time.GetUtcNow();
        var when = at ?? now;
        if (when > now.AddMinutes(5))
        {
            throw UseCaseException.Invalid("at", "A timeline entry records something that has happened: its time cannot be in the future.");
        }

        if (DateOnly.FromDateTime(when.UtcDateTime) < incident.OccurredOn.AddDays(-1))
        {
            throw UseCaseException.Invalid("at", $"The entry is before the incident occurred ({incident.OccurredOn:yyyy-MM-dd}).");
        }

        if (await db.IncidentEvents.CountAsync(e => e.IncidentId == id, ct) >= MaxTimelineEvents)
        {
            throw UseCaseException.Conflict("text", $"An incident's timeline holds at most {MaxTimelineEvents} entries.");
        }

        var entry = new IncidentEvent { Id = Guid.NewGuid(), IncidentId = id, At = when, Text = clean, Author = Author(author), RecordedAt = now };
        db.IncidentEvents.Add(entry);
        await db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>Records the incident as resolved on a day, with the lessons learned (required: they are what the review pack reports).</summary>
    public async Task<Incident> ResolveAsync(Guid organisationId, Guid id, DateOnly? resolvedOn, string? lessonsLearned, string? author, CancellationToken ct)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.OrganisationId == organisationId && i.Id == id, ct)
            ?? throw UseCaseException.NotFound("No such incident in this organisation.");
        if (incident.Status == IncidentStatus.Resolved)
        {
            throw UseCaseException.Conflict("status", $"{incident.Reference} is already resolved.");
        }

        var lessons = TextInput.Clean(lessonsLearned, "lessonsLearned", Incident.TextMaxLength, required: true);
        var on = resolvedOn ?? Today;
        if (on > Today || on < incident.OccurredOn)
        {
            throw UseCaseException.Invalid("resolvedOn", $"The resolution day is between the day it occurred ({incident.OccurredOn:yyyy-MM-dd}) and today.");
        }

        var now = time.GetUtcNow();
        incident.Status = IncidentStatus.Resolved;
        incident.ResolvedOn = on;
        incident.LessonsLearned = lessons;
        db.IncidentEvents.Add(new IncidentEvent { Id = Guid.NewGuid(), IncidentId = id, At = now, Text = "Resolved; lessons learned recorded", Author = Author(author), RecordedAt = now });
        await db.SaveChangesAsync(ct);
        return incident;
    }

    private static string Author(string? name) => string.IsNullOrWhiteSpace(name) ? "Perennial" : name.Length > 256 ? name[..256] : name;
}
