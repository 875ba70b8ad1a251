using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.InternalAudits;

/// <summary>A manager's recorded reason for letting an auditor audit something they own.</summary>
public sealed record ImpartialityOverride(Guid UserId, string? Justification);

public sealed record InternalAuditInput(
    string? Title, int? CycleNumber, DateOnly? PlannedStart, DateOnly? PlannedEnd, Guid LeadAuditorUserId, IReadOnlyList<Guid>? AuditorUserIds,
    string? Criteria, IReadOnlyList<string>? Scope, IReadOnlyList<string>? Units, IReadOnlyList<ImpartialityOverride>? Overrides = null);

/// <summary>Who plans the audit, with their role in its organisation.</summary>
public sealed record InternalAuditActor(Guid UserId, OrgRole Role)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

/// <summary>What an auditor owns in a scope: the SoA rows and activities they are responsible for.</summary>
public sealed record OwnedItem(string Identifier, string What);

public sealed record InternalAuditQuery(int? CycleNumber = null, InternalAuditStatus? Status = null);

/// <summary>
/// The internal audit programme: planning an audit (its scope checked against the clauses and
/// Annex A controls, its auditors checked for impartiality) and reading the programme back.
/// </summary>
public sealed class InternalAuditService(PerennialDbContext db, TimeProvider time, ActivityService activities, OccurrenceService occurrences)
{
    public async Task<InternalAudit> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.InternalAudits.Include(a => a.Scope.OrderBy(s => s.SortOrder)).Include(a => a.Auditors).AsSplitQuery()
            .FirstOrDefaultAsync(a => a.OrganisationId == organisationId && a.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such internal audit in this organisation.");

    public async Task<Paged<InternalAudit>> ListAsync(Guid organisationId, InternalAuditQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var audits = db.InternalAudits.AsNoTracking().Include(a => a.Scope).Include(a => a.Auditors).AsSplitQuery().Where(a => a.OrganisationId == organisationId);
        if (query.CycleNumber is { } number)
        {
            var cycle = await CycleAsync(organisationId, number, "cycle", ct);
            audits = audits.Where(a => a.CycleId == cycle);
        }

        if (query.Status is { } status)
        {
            audits = audits.Where(a => a.Status == status);
        }

        return await audits.OrderBy(a => a.PlannedStart).ThenBy(a => a.Reference).ToPagedAsync(page, ct);
    }

    /// <summary>
    /// Plans an internal audit. Refused (conflict, naming the items) when an auditor owns a control or
    /// activity in the scope, unless a manager records why that auditor may audit it anyway.
    /// </summary>
    public async Task<InternalAudit> PlanAsync(Guid organisationId, InternalAuditActor actor, InternalAuditInput input, CancellationToken ct)
    {
        var (audit, contributors) = await DraftAsync(organisationId, actor, input, Guid.NewGuid(), ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"internal-audits:{organisationId}", ct);
        audit.Reference = await NextReferenceAsync(organisationId, ct);
        db.InternalAudits.Add(audit);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await ScheduleAsync(audit, contributors, actor.UserId, ct);
        return audit;
    }

    /// <summary>
    /// Changes a planned audit (dates, auditors, criteria, scope, units) under the same checks as
    /// planning it; its calendar entry follows. A started audit keeps its plan.
    /// </summary>
    public async Task<InternalAudit> UpdateAsync(Guid organisationId, Guid id, InternalAuditActor actor, InternalAuditInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var audit = await GetAsync(organisationId, id, ct);
        if (audit.Status != InternalAuditStatus.Planned)
        {
            throw UseCaseException.Conflict("status", $"The audit is {audit.Status.ToString().ToLowerInvariant()}: only a planned audit's plan changes.");
        }

        var (draft, contributors) = await DraftAsync(organisationId, actor, input, audit.Id, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.InternalAuditScopeItems.RemoveRange(audit.Scope);
        db.InternalAuditAuditors.RemoveRange(audit.Auditors);
        await db.SaveChangesAsync(ct);
        audit.Title = draft.Title;
        audit.CycleId = input.CycleNumber is null ? audit.CycleId : draft.CycleId;
        audit.PlannedStart = draft.PlannedStart;
        audit.PlannedEnd = draft.PlannedEnd;
        audit.LeadAuditorUserId = draft.LeadAuditorUserId;
        audit.Criteria = draft.Criteria;
        audit.Units = draft.Units;
        audit.Scope = draft.Scope;
        audit.Auditors = draft.Auditors;
        db.InternalAuditScopeItems.AddRange(draft.Scope);
        db.InternalAuditAuditors.AddRange(draft.Auditors);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (audit.ActivityId is { } activityId && await db.Activities.AnyAsync(a => a.Id == activityId, ct))
        {
            await activities.UpdateAsync(organisationId, activityId, await CalendarInputAsync(audit, contributors, actor.UserId, ct), ct);
        }
        else
        {
            await ScheduleAsync(audit, contributors, actor.UserId, ct);
        }

        return audit;
    }

    /// <summary>
    /// Cancels a planned or running audit, with a manager's reason. It leaves the coverage matrix (its
    /// scope shows as a gap again unless another audit covers it); its open calendar occurrence is
    /// skipped with the reason and its activity retired, so no reminder or missed-activity
    /// nonconformity follows. Results already recorded on a started checklist stay, frozen.
    /// </summary>
    public async Task<InternalAudit> CancelAsync(Guid organisationId, Guid id, InternalAuditActor actor, string actorName, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager)
        {
            throw UseCaseException.Forbidden("Only an ISMS manager cancels an internal audit.");
        }

        var audit = await GetAsync(organisationId, id, ct);
        if (audit.Status is InternalAuditStatus.Reported or InternalAuditStatus.Cancelled)
        {
            throw UseCaseException.Conflict("status", audit.Status == InternalAuditStatus.Reported
                ? "The audit's report is signed off: a held audit stays in the programme and cannot be cancelled."
                : "The audit is already cancelled.");
        }

        var why = TextInput.Clean(reason, "reason", InternalAudit.TextMaxLength, required: true)!;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        audit.Status = InternalAuditStatus.Cancelled;
        audit.CancelledAt = time.GetUtcNow();
        audit.CancelledByName = actorName.Length > 256 ? actorName[..256] : actorName;
        audit.CancellationReason = why;
        await db.SaveChangesAsync(ct);
        if (audit.ActivityId is { } activityId && await db.Activities.AnyAsync(a => a.Id == activityId && a.OrganisationId == organisationId, ct))
        {
            var open = await db.Occurrences.Where(o => o.ActivityId == activityId && o.State == OccurrenceState.Open).Select(o => o.Id).ToListAsync(ct);
            var skip = $"{audit.Reference} cancelled: {why}";
            foreach (var occurrence in open)
            {
                await occurrences.SkipAsync(organisationId, occurrence, new OccurrenceActor(actor.UserId, actor.Role),
                    skip.Length > Occurrence.ReasonMaxLength ? skip[..Occurrence.ReasonMaxLength] : skip, ct);
            }

            await activities.SetStateAsync(organisationId, activityId, ActivityState.Retired, ct);
        }

        await transaction.CommitAsync(ct);
        return audit;
    }

    private async Task<(InternalAudit Draft, List<Guid> Contributors)> DraftAsync(Guid organisationId, InternalAuditActor actor, InternalAuditInput input, Guid auditId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        var title = TextInput.Clean(input.Title, "title", InternalAudit.TitleMaxLength, required: true)!;
        var criteria = TextInput.Clean(input.Criteria, "criteria", InternalAudit.TextMaxLength);
        var start = input.PlannedStart ?? throw UseCaseException.Invalid("plannedStart", "plannedStart is required.");
        var end = input.PlannedEnd ?? start;
        if (end < start)
        {
            throw UseCaseException.Invalid("plannedEnd", "plannedEnd cannot be before plannedStart.");
        }

        if (end.DayNumber - start.DayNumber > MaxDays)
        {
            throw UseCaseException.Invalid("plannedEnd", $"An internal audit spans at most {MaxDays} days; plan a longer one as several audits.");
        }

        var scope = ParseScope(input.Scope);
        var units = (input.Units ?? []).Select((u, i) => TextInput.Clean(u, $"units[{i}]", InternalAudit.UnitMaxLength, required: true)!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (units.Count > 20)
        {
            throw UseCaseException.Invalid("units", "At most twenty organisational units or processes.");
        }

        Guid? cycleId = input.CycleNumber is { } n
            ? await CycleAsync(organisationId, n, "cycle", ct)
            : await db.CertificationCycles.Where(c => c.OrganisationId == organisationId && c.IsCurrent).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);

        var auditors = new List<Guid> { input.LeadAuditorUserId };
        auditors.AddRange((input.AuditorUserIds ?? []).Where(u => u != input.LeadAuditorUserId));
        auditors = [.. auditors.Distinct()];
        if (auditors.Count > InternalAudit.MaxAuditors)
        {
            throw UseCaseException.Invalid("auditorEmails", $"At most {InternalAudit.MaxAuditors} auditors.");
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var members = await db.Memberships.ActiveOn(today).Where(m => m.OrganisationId == organisationId && auditors.Contains(m.UserId))
            .Select(m => new { m.UserId, m.User!.Email, m.Role }).ToListAsync(ct);
        foreach (var id in auditors)
        {
            var member = members.FirstOrDefault(m => m.UserId == id);
            var field = id == input.LeadAuditorUserId ? "leadAuditorEmail" : "auditorEmails";
            if (member is null)
            {
                throw UseCaseException.Invalid(field, "Every auditor must be a current member of this organisation.");
            }
        }

        var overrides = (input.Overrides ?? []).ToDictionary(o => o.UserId, o => o.Justification?.Trim());
        if (overrides.Keys.Any(k => !auditors.Contains(k)))
        {
            throw UseCaseException.Invalid("overrides", "An override must name one of the audit's auditors.");
        }

        var owned = await OwnedInScopeAsync(organisationId, auditors, scope.Select(s => s.Identifier).ToList(), ct);
        var audit = new InternalAudit
        {
            Id = auditId,
            OrganisationId = organisationId,
            CycleId = cycleId,
            Title = title,
            PlannedStart = start,
            PlannedEnd = end,
            LeadAuditorUserId = input.LeadAuditorUserId,
            Criteria = criteria,
            Units = units,
            CreatedAt = time.GetUtcNow(),
        };
        foreach (var id in auditors)
        {
            var email = members.First(m => m.UserId == id).Email;
            var conflict = owned.GetValueOrDefault(id) ?? [];
            var entry = new InternalAuditAuditor { InternalAuditId = audit.Id, UserId = id, IsLead = id == input.LeadAuditorUserId };
            if (conflict.Count > 0)
            {
                var named = string.Join("; ", conflict.Select(c => c.What));
                if (!overrides.TryGetValue(id, out var why))
                {
                    throw UseCaseException.Conflict(entry.IsLead ? "leadAuditorEmail" : "auditorEmails",
                        $"{email} owns what this audit would check ({named}): an auditor does not audit their own work. Choose another auditor, take the item out of the scope, or have a manager record why {email} may audit it.");
                }

                if (!actor.IsManager)
                {
                    throw UseCaseException.Forbidden($"Only a manager may let {email} audit what they own ({named}).");
                }

                if (string.IsNullOrEmpty(why))
                {
                    throw UseCaseException.Invalid("overrides", $"Say why {email} may audit what they own ({named}).");
                }

                entry.ConflictOverridden = named.Length > 1000 ? named[..1000] : named;
                entry.OverrideJustification = why.Length > InternalAudit.TextMaxLength
                    ? throw UseCaseException.Invalid("overrides", $"A justification is at most {InternalAudit.TextMaxLength} characters.")
                    : why;
                entry.OverriddenByUserId = actor.UserId;
            }
            else if (overrides.ContainsKey(id))
            {
                throw UseCaseException.Invalid("overrides", $"{email} owns nothing in this scope: there is nothing to override.");
            }

            audit.Auditors.Add(entry);
        }

        for (var i = 0; i < scope.Count; i++)
        {
            audit.Scope.Add(new InternalAuditScopeItem { InternalAuditId = audit.Id, Identifier = scope[i].Identifier, Kind = scope[i].Kind, SortOrder = i });
        }

        return (audit, members.Where(m => m.Role >= OrgRole.Contributor).Select(m => m.UserId).ToList());
    }

    /// <summary>The longest an audit may span, from its planned start to its planned end.</summary>
    public const int MaxDays = 60;

    /// <summary>The grace period of an audit's calendar occurrence: its length plus a fortnight to sign the report off.</summary>
    public const int ReportGraceDays = 14;

    /// <summary>
    /// Puts the audit on the maintenance calendar as a one-off activity for clause 9.2, owned by the
    /// lead auditor (or, when the lead is an outside auditor without contributor rights, by the
    /// manager who planned it) with another auditor as deputy; its reminders, feeds and missed-date
    /// handling are those of any activity, and every auditor of the audit also gets its reminders and
    /// has it in their personal feed. The signed-off report completes its occurrence.
    /// </summary>
    private async Task ScheduleAsync(InternalAudit audit, IReadOnlyList<Guid> contributors, Guid plannerUserId, CancellationToken ct)
    {
        var activity = await activities.CreateAsync(audit.OrganisationId, await CalendarInputAsync(audit, contributors, plannerUserId, ct), ct, includePast: true);
        audit.ActivityId = activity.Id;
        await db.SaveChangesAsync(ct);
    }

    private async Task<ActivityInput> CalendarInputAsync(InternalAudit audit, IReadOnlyList<Guid> contributors, Guid plannerUserId, CancellationToken ct)
    {
        var owner = contributors.Contains(audit.LeadAuditorUserId) ? audit.LeadAuditorUserId : plannerUserId;
        Guid? deputy = audit.Auditors.Select(a => a.UserId).FirstOrDefault(u => u != owner && contributors.Contains(u)) is var d && d != Guid.Empty ? d : null;
        var clause = await db.Controls.Where(c => c.OrganisationId == audit.OrganisationId && c.Identifier == "9.2" && c.Framework!.Key == Framework.IsoKey)
            .Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        var title = $"{audit.Reference} {audit.Title}";
        return new ActivityInput(
            title.Length > Activity.TitleMaxLength ? title[..Activity.TitleMaxLength] : title,
            $"Internal audit of {string.Join(", ", audit.Scope.OrderBy(x => x.SortOrder).Select(x => x.Identifier))}.{(audit.Criteria is null ? "" : $" Criteria: {audit.Criteria}")}",
            owner, deputy, null, "FREQ=DAILY;COUNT=1", audit.PlannedStart.ToDateTime(new TimeOnly(9, 0)), "UTC",
            GraceDays: audit.PlannedEnd.DayNumber - audit.PlannedStart.DayNumber + ReportGraceDays,
            EvidenceRequired: [ReportRequirement],
            ControlIds: clause is { } c ? [c] : null,
            TemplateKey: "internal-audit-programme");
    }

    /// <summary>The evidence the audit's calendar occurrence asks for.</summary>
    public const string ReportRequirement = "Signed-off internal audit report";

    /// <summary>For each auditor, the SoA rows (latest published SoA, else the draft) and active activities in the scope they own.</summary>
    public async Task<Dictionary<Guid, List<OwnedItem>>> OwnedInScopeAsync(Guid organisationId, IReadOnlyList<Guid> userIds, IReadOnlyList<string> identifiers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(identifiers);
        var result = new Dictionary<Guid, List<OwnedItem>>();
        void Add(Guid user, OwnedItem item)
        {
            if (!result.TryGetValue(user, out var list))
            {
                result[user] = list = [];
            }

            if (!list.Contains(item))
            {
                list.Add(item);
            }
        }

        var version = await db.SoaVersions.Where(v => v.OrganisationId == organisationId)
            .OrderByDescending(v => v.PublishedAt != null).ThenByDescending(v => v.Number).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        if (version is { } v)
        {
            var rows = await db.SoaRows.Where(r => r.SoaVersionId == v && r.OwnerUserId != null && userIds.Contains(r.OwnerUserId.Value) && identifiers.Contains(r.ControlIdentifier))
                .OrderBy(r => r.SortOrder).Select(r => new { r.ControlIdentifier, r.OwnerUserId }).ToListAsync(ct);
            foreach (var r in rows)
            {
                Add(r.OwnerUserId!.Value, new OwnedItem(r.ControlIdentifier, $"control {r.ControlIdentifier} in the SoA"));
            }
        }

        var activities = await (
            from link in db.ActivityControls
            join a in db.Activities on link.ActivityId equals a.Id
            join c in db.Controls on link.ControlId equals c.Id
            where a.OrganisationId == organisationId && a.State == ActivityState.Active
                && (userIds.Contains(a.OwnerUserId) || (a.DeputyUserId != null && userIds.Contains(a.DeputyUserId.Value)))
                && c.Framework!.Key == Framework.IsoKey && identifiers.Contains(c.Identifier)
            select new { a.Reference, a.Title, a.OwnerUserId, a.DeputyUserId, c.Identifier }).ToListAsync(ct);
        foreach (var a in activities.OrderBy(a => a.Reference, StringComparer.Ordinal).ThenBy(a => a.Identifier, StringComparer.Ordinal))
        {
            foreach (var user in new[] { a.OwnerUserId, a.DeputyUserId }.OfType<Guid>().Where(userIds.Contains).Distinct())
            {
                Add(user, new OwnedItem(a.Identifier, $"activity {a.Reference} “{a.Title}” for {a.Identifier}"));
            }
        }

        return result;
    }

    /// <summary>Clause and control identifiers, checked against the clauses 4.1–10.2 and the Annex A controls, duplicates dropped, in catalog order.</summary>
    public static IReadOnlyList<(string Identifier, ScopeItemKind Kind)> ParseScope(IReadOnlyList<string>? scope)
    {
        var given = scope ?? [];
        if (given.Count == 0)
        {
            throw UseCaseException.Invalid("scope", "Name at least one clause (4.1 … 10.2) or Annex A control (A.5.1 …) in the scope.");
        }

        if (given.Count > InternalAudit.MaxScopeItems)
        {
            throw UseCaseException.Invalid("scope", $"At most {InternalAudit.MaxScopeItems} scope items.");
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < given.Count; i++)
        {
            var id = Normalise(given[i]);
            if (!AuditableItems.ByIdentifier.ContainsKey(id))
            {
                throw UseCaseException.Invalid($"scope[{i}]", $"'{given[i]}' is neither a management-system clause (4.1 … 10.2) nor an Annex A control (A.5.1 … A.8.34).");
            }

            wanted.Add(id);
        }

        return [.. AuditableItems.All.Where(a => wanted.Contains(a.Identifier)).Select(a => (a.Identifier, a.Kind))];
    }

    private static string Normalise(string? identifier)
    {
        var text = (identifier ?? "").Trim();
        return text.StartsWith("a.", StringComparison.Ordinal) ? "A" + text[1..] : text;
    }

    private async Task<Guid> CycleAsync(Guid organisationId, int number, string field, CancellationToken ct) =>
        await db.CertificationCycles.Where(c => c.OrganisationId == organisationId && c.Number == number).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct)
        ?? throw UseCaseException.Invalid(field, $"This organisation has no certification cycle {number}.");

    private async Task<string> NextReferenceAsync(Guid organisationId, CancellationToken ct)
    {
        var references = await db.InternalAudits.Where(a => a.OrganisationId == organisationId).Select(a => a.Reference).ToListAsync(ct);
        var next = references.Select(r => int.TryParse(r.AsSpan(3), out var k) ? k : 0).DefaultIfEmpty(0).Max() + 1;
        return $"IA-{next:000}";
    }
}

/// <summary>What an internal audit programme must cover: the clauses 4.1 … 10.2 and the Annex A controls, in catalog order.</summary>
public static class AuditableItems
{
    public sealed record Item(string Identifier, ScopeItemKind Kind, string Title);

    public static IReadOnlyList<Item> All { get; } =
    [
        .. Iso27001Catalog.Entries
            .Where(e => (e.Kind == ControlKind.Clause && e.Identifier.Count(c => c == '.') == 1) || e.Kind == ControlKind.Control)
            .Select(e => new Item(e.Identifier, e.Kind == ControlKind.Clause ? ScopeItemKind.Clause : ScopeItemKind.Control, e.Title)),
    ];

    public static IReadOnlyDictionary<string, Item> ByIdentifier { get; } = All.ToDictionary(i => i.Identifier, StringComparer.Ordinal);

    public static IEnumerable<Item> Clauses => All.Where(i => i.Kind == ScopeItemKind.Clause);
}
