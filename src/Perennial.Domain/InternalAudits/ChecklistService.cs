using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Improvements;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.InternalAudits;

/// <summary>How one occurrence in the audit period went, in the checklist's words.</summary>
public enum OccurrenceOutcome
{
    OnTime = 1,
    Late = 2,
    Missed = 3,
    Skipped = 4,

    /// <summary>Past its due date, still within its grace period.</summary>
    Overdue = 5,

    /// <summary>Not due yet.</summary>
    Open = 6,
}

public sealed record ChecklistOccurrence(Guid Id, DateOnly DueDate, OccurrenceOutcome Outcome, DateTimeOffset? CompletedAt, bool InSample);

public sealed record ChecklistEvidence(Guid Id, string Title, DateOnly PeriodFrom, DateOnly PeriodTo, string? Sha256);

public sealed record ChecklistActivity(
    Guid Id, string Reference, string Title, string? Frequency, SampleRange? Range, bool HigherRisk,
    IReadOnlyList<ChecklistOccurrence> Occurrences, IReadOnlyList<ChecklistEvidence> Evidence, ChecklistSample? Sample);

public sealed record ChecklistItemView(ChecklistItem Item, string Title, IReadOnlyList<ChecklistActivity> Activities);

/// <summary>Who acts on an audit's checklist, with their role in its organisation.</summary>
public sealed record ChecklistActor(Guid UserId, string Name, OrgRole Role);

/// <summary>
/// Running an internal audit: starting it generates the checklist from the scope; the auditors
/// draw samples and record a result per item (a minor or major nonconformity raises one in the
/// loop, an opportunity for improvement goes to the improvement register); the lead auditor signs
/// the report off, which freezes the results.
/// </summary>
public sealed class ChecklistService(PerennialDbContext db, TimeProvider time, NonconformityWorkflow nonconformities, ImprovementRegister improvements, InternalAuditReport reports, OccurrenceService occurrences, AuditSignals signals)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Planned → in progress: one checklist item per scope item, over the period given (by default the twelve months before the start).</summary>
    public async Task<InternalAudit> StartAsync(Guid organisationId, Guid auditId, ChecklistActor actor, DateOnly? periodFrom, DateOnly? periodTo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var audit = await AuditAsync(organisationId, auditId, ct);
        RequireAuditorOrManager(audit, actor, "start the audit");
        if (audit.Status != InternalAuditStatus.Planned)
        {
            throw UseCaseException.Conflict("status", $"The audit is {audit.Status.ToString().ToLowerInvariant()}: only a planned audit starts.");
        }

        var to = periodTo ?? Today;
        var from = periodFrom ?? to.AddMonths(-12).AddDays(1);
        if (from > to)
        {
            throw UseCaseException.Invalid("periodFrom", "periodFrom cannot be after periodTo.");
        }

        audit.PeriodFrom = from;
        audit.PeriodTo = to;
        audit.StartedAt = time.GetUtcNow();
        audit.Status = InternalAuditStatus.InProgress;
        foreach (var s in audit.Scope.OrderBy(s => s.SortOrder))
        {
            db.ChecklistItems.Add(new ChecklistItem
            {
                Id = Guid.NewGuid(),
                OrganisationId = organisationId,
                InternalAuditId = audit.Id,
                Identifier = s.Identifier,
                Kind = s.Kind,
                SortOrder = s.SortOrder,
            });
        }

        await db.SaveChangesAsync(ct);
        return audit;
    }

    /// <summary>The checklist with, per item, the linked activities, their occurrences in the period and their evidence.</summary>
    public async Task<IReadOnlyList<ChecklistItemView>> ChecklistAsync(Guid organisationId, Guid auditId, CancellationToken ct)
    {
        var audit = await db.InternalAudits.AsNoTracking().FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == auditId, ct)
            ?? throw UseCaseException.NotFound("No such internal audit in this organisation.");
        var items = await db.ChecklistItems.AsNoTracking().Where(i => i.InternalAuditId == auditId).OrderBy(i => i.SortOrder).ToListAsync(ct);
        if (items.Count == 0 || audit.PeriodFrom is not { } from || audit.PeriodTo is not { } to)
        {
            return [];
        }

        var identifiers = items.Select(i => i.Identifier).ToList();
        // The lists go to the database as one parameter each (a JSON array), not one parameter per
        // element: a checklist over the whole of Annex A holds hundreds of activities.
        var links = await (
            from link in db.ActivityControls
            join c in db.Controls on link.ControlId equals c.Id
            join a in db.Activities on link.ActivityId equals a.Id
            where c.OrganisationId == organisationId && c.Framework!.Key == Framework.IsoKey && EF.Parameter(identifiers).Contains(c.Identifier) && a.State != ActivityState.Retired
                && a.Id != audit.ActivityId
            select new { c.Identifier, ControlId = c.Id, a.Id, a.Reference, a.Title, a.Rrule, a.ScheduleSource, a.GraceDays }).ToListAsync(ct);
        var activityIds = links.Select(l => l.Id).Distinct().ToList();
        var periodOccurrences = db.Occurrences.Where(o => EF.Parameter(activityIds).Contains(o.ActivityId) && o.DueDate >= from && o.DueDate <= to);
        var occurrences = (await periodOccurrences.AsNoTracking()
            .OrderBy(o => o.DueDate).ThenBy(o => o.Id)
            .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.State, o.CompletedAt, o.NonconformityId })
            .ToListAsync(ct)).ToLookup(o => o.ActivityId);
        var current = db.EvidenceItems.Where(e => e.OrganisationId == organisationId && e.SupersededById == null && e.PeriodFrom <= to && e.PeriodTo >= from);
        var onActivities = await db.EvidenceItemLinks.AsNoTracking()
            .Where(l => l.ActivityId != null && EF.Parameter(activityIds).Contains(l.ActivityId.Value))
            .Join(current, l => l.EvidenceItemId, e => e.Id, (l, e) => new { ActivityId = l.ActivityId!.Value, e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256 })
            .ToListAsync(ct);
        var onOccurrences = await db.EvidenceItemLinks.AsNoTracking()
            .Join(periodOccurrences, l => l.OccurrenceId, o => (Guid?)o.Id, (l, o) => new { l.EvidenceItemId, o.ActivityId })
            .Join(current, x => x.EvidenceItemId, e => e.Id, (x, e) => new { x.ActivityId, e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256 })
            .ToListAsync(ct);
        var evidence = onActivities.Concat(onOccurrences).ToLookup(e => e.ActivityId);
        var itemIds = items.Select(i => i.Id).ToList();
        var samples = (await db.ChecklistSamples.AsNoTracking().Where(s => EF.Parameter(itemIds).Contains(s.ChecklistItemId)).ToListAsync(ct))
            .ToDictionary(s => (s.ChecklistItemId, s.ActivityId));
        var higher = await HigherRiskAsync(organisationId, audit, identifiers, ct);
        var table = SamplingTable.For(await db.InternalAuditSettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganisationId == organisationId, ct));
        var today = Today;
        var linked = links.ToLookup(l => l.Identifier, StringComparer.Ordinal);

        return [.. items.Select(item =>
        {
            var activities = linked[item.Identifier].DistinctBy(l => l.Id).OrderBy(l => l.Reference, StringComparer.Ordinal).Select(a =>
            {
                var sample = samples.GetValueOrDefault((item.Id, a.Id));
                var drawn = sample?.OccurrenceIds.ToHashSet();
                var frequency = a.ScheduleSource == ScheduleSource.CertificationCycle ? "annual" : SamplingTable.FrequencyOf(a.Rrule);
                return new ChecklistActivity(a.Id, a.Reference, a.Title, frequency, frequency is null ? null : table.GetValueOrDefault(frequency),
                    higher.Contains(item.Identifier),
                    [.. occurrences[a.Id].Select(o => new ChecklistOccurrence(o.Id, o.DueDate, Outcome(o.State, o.DueDate, o.CompletedAt, o.NonconformityId, a.GraceDays, today), o.CompletedAt,
                        drawn?.Contains(o.Id) == true))],
                    [.. evidence[a.Id].DistinctBy(e => e.Id).OrderBy(e => e.PeriodFrom).ThenBy(e => e.Id).Select(e => new ChecklistEvidence(e.Id, e.Title, e.PeriodFrom, e.PeriodTo, e.Sha256))],
                    sample);
            }).ToList();
            return new ChecklistItemView(item, AuditableItems.ByIdentifier.TryGetValue(item.Identifier, out var c) ? c.Title : item.Identifier, activities);
        })];
    }

    /// <summary>
    /// Draws a sample of one linked activity's occurrences in the audit period, sized by the sampling
    /// table. A given seed redraws the same sample; without one a random seed is chosen and recorded.
    /// </summary>
    public async Task<ChecklistSample> DrawSampleAsync(Guid organisationId, Guid auditId, Guid itemId, Guid activityId, ChecklistActor actor, int? seed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var audit = await AuditAsync(organisationId, auditId, ct);
        RequireAuditor(audit, actor, "draw a sample");
        RequireRunning(audit);
        var item = await db.ChecklistItems.FirstOrDefaultAsync(i => i.Id == itemId && i.InternalAuditId == auditId, ct)
            ?? throw UseCaseException.NotFound("No such checklist item on this audit.");
        var view = (await ChecklistAsync(organisationId, auditId, ct)).Single(v => v.Item.Id == itemId);
        var activity = view.Activities.FirstOrDefault(a => a.Id == activityId)
            ?? throw UseCaseException.Invalid("activityId", $"The activity is not linked to {item.Identifier}.");
        if (activity.Range is null)
        {
            throw UseCaseException.Invalid("activityId", $"{activity.Reference} has no regular frequency the sampling table knows; audit its occurrences one by one.");
        }

        var population = activity.Occurrences.Where(o => o.Outcome is not OccurrenceOutcome.Open and not OccurrenceOutcome.Overdue).OrderBy(o => o.DueDate).ThenBy(o => o.Id).Select(o => o.Id).ToList();
        if (population.Count == 0)
        {
            throw UseCaseException.Conflict("activityId", $"{activity.Reference} has no occurrence settled (done, late, missed or skipped) in the audit period to sample.");
        }

        var chosenSeed = seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var size = SamplingTable.SizeFor(activity.Range, population.Count, activity.HigherRisk);
        var drawn = SamplingTable.Draw(population, size, chosenSeed);
        var existing = await db.ChecklistSamples.FirstOrDefaultAsync(s => s.ChecklistItemId == itemId && s.ActivityId == activityId, ct);
        var sample = existing ?? new ChecklistSample { Id = Guid.NewGuid(), OrganisationId = organisationId, ChecklistItemId = itemId, ActivityId = activityId };
        sample.Frequency = activity.Frequency!;
        sample.Seed = chosenSeed;
        sample.Population = population.Count;
        sample.Size = drawn.Count;
        sample.OccurrenceIds = [.. drawn];
        sample.DrawnAt = time.GetUtcNow();
        sample.DrawnByUserId = actor.UserId;
        if (existing is null)
        {
            db.ChecklistSamples.Add(sample);
        }

        await db.SaveChangesAsync(ct);
        return sample;
    }

    /// <summary>
    /// Records an item's result. A minor or major nonconformity raises one in the loop (once per
    /// item), an opportunity for improvement an entry in the improvement register.
    /// </summary>
    public async Task<ChecklistItem> RecordAsync(Guid organisationId, Guid auditId, Guid itemId, ChecklistActor actor, ChecklistResult result, string? notes, IReadOnlyList<Guid>? evidenceIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var audit = await AuditAsync(organisationId, auditId, ct);
        RequireAuditor(audit, actor, "record a result");
        RequireRunning(audit);
        var item = await db.ChecklistItems.FirstOrDefaultAsync(i => i.Id == itemId && i.InternalAuditId == auditId, ct)
            ?? throw UseCaseException.NotFound("No such checklist item on this audit.");
        var text = notes?.Trim();
        if (text is { Length: > ChecklistItem.NotesMaxLength })
        {
            throw UseCaseException.Invalid("notes", $"notes is at most {ChecklistItem.NotesMaxLength} characters.");
        }

        if (string.IsNullOrEmpty(text) && result is not ChecklistResult.Conforming and not ChecklistResult.NotAudited)
        {
            throw UseCaseException.Invalid("notes", "Say what was found: notes are required for a nonconformity, an observation or an opportunity for improvement.");
        }

        if (item.NonconformityId is not null && result is not ChecklistResult.MinorNonconformity and not ChecklistResult.MajorNonconformity)
        {
            throw UseCaseException.Conflict("result", "This item already raised a nonconformity; it stays a nonconformity (close it in the loop if it was raised in error).");
        }

        var evidence = (evidenceIds ?? []).Distinct().ToList();
        if (evidence.Count > 0 && await db.EvidenceItems.CountAsync(e => e.OrganisationId == organisationId && evidence.Contains(e.Id), ct) != evidence.Count)
        {
            throw UseCaseException.Invalid("evidenceIds", "Every evidence item must be one of this organisation's.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        item.Result = result;
        item.Notes = string.IsNullOrEmpty(text) ? null : text;
        item.EvidenceIds = evidence;
        item.RecordedAt = time.GetUtcNow();
        item.RecordedByUserId = actor.UserId;
        var title = $"{audit.Reference} {item.Identifier}: {FirstLine(text ?? "")}";
        if (result is ChecklistResult.MinorNonconformity or ChecklistResult.MajorNonconformity)
        {
            var severity = result == ChecklistResult.MajorNonconformity ? NonconformitySeverity.Major : NonconformitySeverity.Minor;
            if (item.NonconformityId is { } existing)
            {
                var nc = await db.Nonconformities.FirstAsync(n => n.Id == existing, ct);
                nc.Severity = severity;
            }
            else
            {
                await db.SaveChangesAsync(ct);
                var nc = await nonconformities.RaiseAsync(organisationId, new NonconformityActor(actor.UserId, actor.Name, actor.Role), new RaiseNonconformity(
                    title, text, severity, NonconformitySource.InternalAudit, item.Identifier, null, null), ct);
                nc.InternalAuditId = audit.Id;
                nc.ChecklistItemId = item.Id;
                item.NonconformityId = nc.Id;
            }
        }
        else if (result == ChecklistResult.Improvement && item.ImprovementId is null)
        {
            var improvement = await improvements.AddAsync(organisationId, actor.UserId, new NewImprovement(title, text, ImprovementSource.InternalAudit, item.Identifier, null, audit.Id), ct);
            item.ImprovementId = improvement.Id;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return item;
    }

    /// <summary>The lead auditor signs the report off once every item has a result; the results are then frozen.</summary>
    public async Task<InternalAudit> SignOffAsync(Guid organisationId, Guid auditId, ChecklistActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var audit = await AuditAsync(organisationId, auditId, ct);
        if (audit.LeadAuditorUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden("Only the lead auditor signs the report off.");
        }

        RequireRunning(audit);
        var open = await db.ChecklistItems.Where(i => i.InternalAuditId == auditId && i.Result == null).OrderBy(i => i.SortOrder).Select(i => i.Identifier).ToListAsync(ct);
        if (open.Count > 0)
        {
            throw UseCaseException.Conflict("checklist", $"{open.Count} checklist item(s) have no result yet: {string.Join(", ", open.Take(10))}{(open.Count > 10 ? ", …" : "")}. Record each, as not audited if need be.");
        }

        audit.Status = InternalAuditStatus.Reported;
        audit.SignedOffAt = time.GetUtcNow();
        audit.SignedOffByUserId = actor.UserId;
        await db.SaveChangesAsync(ct);

        // The signed-off report completes the audit's calendar occurrence and stays there as hashed evidence.
        var occurrence = audit.ActivityId is { } activityId
            ? await db.Occurrences.Where(o => o.ActivityId == activityId && o.State == OccurrenceState.Open).OrderBy(o => o.DueDate).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct)
            : null;
        if (occurrence is { } occurrenceId)
        {
            var document = InternalAuditReport.Docx(await reports.ModelAsync(organisationId, auditId, ct));
            await using var content = new MemoryStream(document);
            // The sign-off is what completes it, whoever owns the calendar entry: it acts with a manager's right to do so.
            await occurrences.CompleteAsync(organisationId, occurrenceId, new OccurrenceActor(actor.UserId, OrgRole.Manager), $"{audit.Reference} report signed off by {actor.Name}.",
                [new EvidenceFile($"{audit.Reference}-report.docx", DocxType, content, InternalAuditService.ReportRequirement)], [], document.Length + 1, ct);
            audit.ReportEvidenceId = await db.OccurrenceEvidence.Where(e => e.OccurrenceId == occurrenceId && e.EvidenceItemId != null)
                .OrderByDescending(e => e.AddedAt).Select(e => e.EvidenceItemId).FirstOrDefaultAsync(ct);
            await db.SaveChangesAsync(ct);
        }

        return audit;
    }

    public const string DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private async Task<HashSet<string>> HigherRiskAsync(Guid organisationId, InternalAudit audit, IReadOnlyList<string> identifiers, CancellationToken ct)
    {
        var since = audit.PeriodFrom is { } f ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : DateTimeOffset.MinValue;
        return [.. (await signals.ForAsync(organisationId, identifiers, since, ct)).Keys];
    }

    private static OccurrenceOutcome Outcome(OccurrenceState state, DateOnly due, DateTimeOffset? completedAt, Guid? nonconformityId, int graceDays, DateOnly today) => state switch
    {
        OccurrenceState.Skipped => OccurrenceOutcome.Skipped,
        OccurrenceState.Completed when completedAt is { } at && DateOnly.FromDateTime(at.UtcDateTime) > due => OccurrenceOutcome.Late,
        OccurrenceState.Completed => OccurrenceOutcome.OnTime,
        _ when nonconformityId is not null || today > due.AddDays(graceDays) => OccurrenceOutcome.Missed,
        _ when today > due => OccurrenceOutcome.Overdue,
        _ => OccurrenceOutcome.Open,
    };

    private async Task<InternalAudit> AuditAsync(Guid organisationId, Guid auditId, CancellationToken ct) =>
        await db.InternalAudits.Include(a => a.Scope).Include(a => a.Auditors).AsSplitQuery()
            .FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == auditId, ct)
        ?? throw UseCaseException.NotFound("No such internal audit in this organisation.");

    /// <summary>The item of a running audit, for one of its auditors to change; refused otherwise.</summary>
    internal async Task<(InternalAudit Audit, ChecklistItem Item)> EditableItemAsync(Guid organisationId, Guid auditId, Guid itemId, ChecklistActor actor, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var audit = await AuditAsync(organisationId, auditId, ct);
        RequireAuditor(audit, actor, what);
        RequireRunning(audit);
        var item = await db.ChecklistItems.FirstOrDefaultAsync(i => i.Id == itemId && i.InternalAuditId == auditId, ct)
            ?? throw UseCaseException.NotFound("No such checklist item on this audit.");
        return (audit, item);
    }

    private static void RequireAuditor(InternalAudit audit, ChecklistActor actor, string what)
    {
        if (!audit.Auditors.Any(a => a.UserId == actor.UserId))
        {
            throw UseCaseException.Forbidden($"Only the audit's auditors {what}.");
        }
    }

    private static void RequireAuditorOrManager(InternalAudit audit, ChecklistActor actor, string what)
    {
        if (actor.Role < OrgRole.Manager && !audit.Auditors.Any(a => a.UserId == actor.UserId))
        {
            throw UseCaseException.Forbidden($"Only the audit's auditors or a manager {what}.");
        }
    }

    private static void RequireRunning(InternalAudit audit)
    {
        if (audit.Status != InternalAuditStatus.InProgress)
        {
            throw UseCaseException.Conflict("status", audit.Status switch
            {
                InternalAuditStatus.Reported => "The report is signed off: its results are frozen.",
                InternalAuditStatus.Cancelled => "The audit is cancelled: its results are frozen.",
                _ => $"The audit is {audit.Status.ToString().ToLowerInvariant()}: start it first.",
            });
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }
}
