using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.AccessReviews;
using Perennial.Activities;
using Perennial.Changes;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Nonconformities;
using Perennial.Risks;

namespace Perennial.Dashboard;

/// <summary>The groups the dashboard shows, in the order it shows them.</summary>
public enum AgendaGroup
{
    Overdue = 1,
    DueSoon = 2,
    Evidence = 3,
    Nonconformities = 4,
    PastDeadline = 5,

    /// <summary>Open decisions of management reviews not yet due soon, and the next review.</summary>
    ManagementReview = 6,
}

/// <summary>
/// One thing that needs doing: a record, why it is listed, and where to open it.
/// <paramref name="Path"/> is relative to the organisation (<c>occurrences/{id}</c>).
/// </summary>
public sealed record AgendaItem(
    AgendaGroup Group, string Kind, string Reference, string Title, string Detail, DateOnly? Due, string Path, Guid? OwnerUserId, string? OwnerName, IReadOnlyList<Guid> People)
{
    public bool Concerns(Guid userId) => People.Contains(userId);
}

public sealed record Agenda(DateOnly Today, IReadOnlyList<AgendaItem> Items)
{
    public IReadOnlyList<AgendaItem> For(Guid userId) => [.. Items.Where(i => i.Concerns(userId))];

    public IReadOnlyList<AgendaItem> In(AgendaGroup group) => [.. Items.Where(i => i.Group == group)];
}

/// <summary>
/// What needs doing in an organisation today, from the records themselves: occurrences overdue and
/// due soon, change tasks and access-review actions past or near their date, risk reviews overdue,
/// activities and controls whose evidence is missing or stale, open nonconformities, and scanner and
/// certification-body findings past their deadline. Each item names the people it concerns (owner,
/// deputy, assignee), so the same agenda serves one person and the whole organisation.
/// </summary>
public sealed class AgendaService(PerennialDbContext db, TimeProvider time, EvidenceTimeline evidence)
{
    /// <summary>How far ahead change tasks and access-review actions count as due soon (occurrences use their own reminder window).</summary>
    public const int DueSoonDays = 14;

    public async Task<Agenda> ForOrganisationAsync(Guid organisationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var items = new List<AgendaItem>();
        await AddOccurrencesAsync(organisationId, now, items, ct);
        await AddChangeTasksAsync(organisationId, today, items, ct);
        await AddAccessActionsAsync(organisationId, today, items, ct);
        await AddRiskReviewsAsync(organisationId, today, items, ct);
        await AddContextReviewsAsync(organisationId, today, items, ct);
        await AddEvidenceAsync(organisationId, today, items, ct);
        await AddNonconformitiesAsync(organisationId, today, items, ct);
        await AddFindingsAsync(organisationId, today, items, ct);
        await AddManagementReviewsAsync(organisationId, today, items, ct);
        var ordered = items
            .OrderBy(i => i.Group)
            .ThenBy(i => i.Due ?? DateOnly.MaxValue)
            .ThenBy(i => i.Reference, StringComparer.Ordinal)
            .ToList();
        return new Agenda(today, ordered);
    }

    private async Task AddOccurrencesAsync(Guid organisationId, DateTimeOffset now, List<AgendaItem> items, CancellationToken ct)
    {
        // Due-soon windows are at most 14 days; a day more covers every time zone's "today".
        var horizon = DateOnly.FromDateTime(now.UtcDateTime).AddDays(15);
        var rows = await db.Occurrences.AsNoTracking()
            .Where(o => o.OrganisationId == organisationId && o.State == OccurrenceState.Open && o.DueDate <= horizon
                && o.Activity!.State != ActivityState.Retired)
            .Select(o => new
            {
                o.Id,
                o.DueDate,
                o.Activity!.Reference,
                o.Activity.Title,
                o.Activity.TimeZone,
                o.Activity.ReminderLeadDays,
                o.Activity.OwnerUserId,
                OwnerName = o.Activity.Owner!.DisplayName,
                o.Activity.DeputyUserId,
            })
            .ToListAsync(ct);
        foreach (var o in rows)
        {
            var status = OccurrenceService.StatusOf(OccurrenceState.Open, o.DueDate, null, o.TimeZone, o.ReminderLeadDays, now);
            var today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(now, o.TimeZone));
            if (status is not (OccurrenceStatus.Overdue or OccurrenceStatus.DueSoon))
            {
                continue;
            }

            var overdue = status == OccurrenceStatus.Overdue;
            items.Add(new AgendaItem(
                overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "occurrence", o.Reference, o.Title,
                overdue ? $"due {Day(o.DueDate)}, {Late(today, o.DueDate)}" : $"due {Day(o.DueDate)}, {Ahead(today, o.DueDate)}",
                o.DueDate, $"occurrences/{o.Id}", o.OwnerUserId, o.OwnerName, People(o.OwnerUserId, o.DeputyUserId)));
        }
    }

    private async Task AddChangeTasksAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var horizon = today.AddDays(DueSoonDays);
        var tasks = await db.ChangeTasks.AsNoTracking()
            .Where(t => t.OrganisationId == organisationId && t.Status == ChangeTaskStatus.Open && t.DueOn <= horizon)
            .Join(db.Changes, t => t.ChangeId, c => c.Id, (t, c) => new { t.Title, t.DueOn, t.OwnerUserId, t.ChangeId, c.Reference })
            .ToListAsync(ct);
        var names = await NamesAsync(tasks.Select(t => t.OwnerUserId), ct);
        foreach (var t in tasks)
        {
            var overdue = t.DueOn < today;
            items.Add(new AgendaItem(
                overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "change-task", t.Reference, t.Title,
                $"change task due {Day(t.DueOn)}, {(overdue ? Late(today, t.DueOn) : Ahead(today, t.DueOn))}",
                t.DueOn, $"changes/{t.ChangeId}", t.OwnerUserId, Name(names, t.OwnerUserId), People(t.OwnerUserId)));
        }
    }

    private async Task AddAccessActionsAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var horizon = today.AddDays(DueSoonDays);
        var actions = await db.AccessReviewActions.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.State == AccessActionState.Open && a.DueDate <= horizon)
            .Select(a => new { a.Id, a.AccessReviewId, a.Kind, a.DueDate, a.AssigneeUserId, Account = a.Entry!.Name ?? a.Entry.AccountId, a.Review!.System })
            .ToListAsync(ct);
        var names = await NamesAsync(actions.Select(a => a.AssigneeUserId), ct);
        foreach (var a in actions)
        {
            var overdue = a.DueDate < today;
            var verb = a.Kind == AccessActionKind.Revoke ? "Revoke" : "Change";
            items.Add(new AgendaItem(
                overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "access-action", "Access review", $"{verb} {a.Account} on {a.System}",
                $"due {Day(a.DueDate)}, {(overdue ? Late(today, a.DueDate) : Ahead(today, a.DueDate))}",
                a.DueDate, $"access-reviews/{a.AccessReviewId}", a.AssigneeUserId, Name(names, a.AssigneeUserId), People(a.AssigneeUserId)));
        }
    }

    private async Task AddRiskReviewsAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var risks = await db.Risks.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.Status == RiskStatus.Open
                && (r.NextReviewOn < today || (r.NextReviewOn == today && r.ReviewTrigger != null)))
            .Select(r => new { r.Id, r.Reference, r.Title, r.NextReviewOn, r.OwnerUserId, r.ReviewTrigger })
            .ToListAsync(ct);
        var names = await NamesAsync(risks.Select(r => r.OwnerUserId), ct);
        foreach (var r in risks)
        {
            // A review brought forward to today by a change, an incident or a nonconformity is due now, with its reason.
            var detail = r.NextReviewOn < today ? $"risk review due {Day(r.NextReviewOn)}, {Late(today, r.NextReviewOn)}" : "risk review due today";
            items.Add(new AgendaItem(
                r.NextReviewOn < today ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "risk-review", r.Reference, r.Title,
                r.ReviewTrigger is null ? detail : $"{detail}: {r.ReviewTrigger}",
                r.NextReviewOn, $"risks/{r.Id}", r.OwnerUserId, Name(names, r.OwnerUserId), People(r.OwnerUserId)));
        }
    }

    private async Task AddContextReviewsAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var entries = await db.ContextEntries.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.Status == OrganisationContext.ContextStatus.Active && e.NextReviewOn <= today)
            .Select(e => new { e.Id, e.Reference, e.Title, e.NextReviewOn, e.OwnerUserId })
            .ToListAsync(ct);
        var names = await NamesAsync(entries.Select(e => (Guid?)e.OwnerUserId), ct);
        foreach (var e in entries)
        {
            var overdue = e.NextReviewOn < today;
            items.Add(new AgendaItem(
                overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "context-review", e.Reference, e.Title,
                overdue ? $"context review due {Day(e.NextReviewOn)}, {Late(today, e.NextReviewOn)}" : "context review due today",
                e.NextReviewOn, $"context/{e.Id}", e.OwnerUserId, Name(names, e.OwnerUserId), People(e.OwnerUserId)));
        }
    }

    /// <summary>
    /// Open decisions of management reviews (overdue, due soon, or later under their own heading), for
    /// their owners; and a scheduled review within <see cref="DueSoonDays"/>, for its chair and attendees.
    /// </summary>
    private async Task AddManagementReviewsAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var decisions = await (
                from d in db.ReviewDecisions.AsNoTracking()
                join r in db.ManagementReviews on d.ReviewId equals r.Id
                where d.OrganisationId == organisationId && d.Status == ManagementReviews.DecisionStatus.Open
                select new { d.Reference, d.Title, d.DueOn, d.OwnerUserId, d.ReviewId, ReviewReference = r.Reference })
            .ToListAsync(ct);
        var horizon = today.AddDays(DueSoonDays);
        var reviews = await db.ManagementReviews.AsNoTracking().Include(r => r.Attendees)
            .Where(r => r.OrganisationId == organisationId && r.Status == ManagementReviews.ReviewStatus.Scheduled && r.ScheduledOn <= horizon)
            .ToListAsync(ct);
        var names = await NamesAsync(decisions.Select(d => (Guid?)d.OwnerUserId).Concat(reviews.Select(r => (Guid?)r.ChairUserId)), ct);
        foreach (var d in decisions)
        {
            var group = d.DueOn < today ? AgendaGroup.Overdue : d.DueOn <= horizon ? AgendaGroup.DueSoon : AgendaGroup.ManagementReview;
            var detail = d.DueOn < today ? $"management review decision ({d.ReviewReference}) due {Day(d.DueOn)}, {Late(today, d.DueOn)}"
                : $"management review decision ({d.ReviewReference}) due {Day(d.DueOn)}";
            items.Add(new AgendaItem(group, "review-decision", d.Reference, d.Title, detail, d.DueOn, $"management-reviews/{d.ReviewId}", d.OwnerUserId, Name(names, d.OwnerUserId), People(d.OwnerUserId)));
        }

        foreach (var r in reviews)
        {
            var late = r.ScheduledOn < today;
            items.Add(new AgendaItem(late ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "management-review", r.Reference, r.Title,
                late ? $"management review planned {Day(r.ScheduledOn)} and not recorded as held" : $"management review on {Day(r.ScheduledOn)}: read the pack",
                r.ScheduledOn, $"management-reviews/{r.Id}", r.ChairUserId, Name(names, r.ChairUserId),
                [.. r.Attendees.Select(a => a.UserId).Prepend(r.ChairUserId).Distinct()]));
        }
    }

    private async Task AddEvidenceAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        // Only activities and controls that state how fresh their evidence must be can have it missing or stale.
        var activities = await db.Activities.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.State == ActivityState.Active && a.EvidenceFreshnessDays != null)
            .Select(a => new { a.Id, a.Reference, a.Title, a.OwnerUserId, OwnerName = a.Owner!.DisplayName, a.DeputyUserId })
            .ToListAsync(ct);
        foreach (var a in activities)
        {
            var latest = await evidence.LatestForActivityAsync(organisationId, a.Id, ct);
            if (Describe(latest, today) is { } detail)
            {
                items.Add(new AgendaItem(AgendaGroup.Evidence, "activity-evidence", a.Reference, a.Title, detail, latest.FreshUntil,
                    $"activities/{a.Id}", a.OwnerUserId, a.OwnerName, People(a.OwnerUserId, a.DeputyUserId)));
            }
        }

        var controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.EvidenceFreshnessDays != null)
            .Select(c => new { c.Id, c.Identifier, c.Title, c.OwnerUserId, FrameworkKey = c.Framework!.Key })
            .ToListAsync(ct);
        var names = await NamesAsync(controls.Select(c => c.OwnerUserId), ct);
        foreach (var c in controls)
        {
            var latest = await evidence.LatestForControlAsync(organisationId, c.Id, ct);
            if (Describe(latest, today) is { } detail)
            {
                items.Add(new AgendaItem(AgendaGroup.Evidence, "control-evidence", c.Identifier, c.Title, detail, latest.FreshUntil,
                    $"frameworks/{Uri.EscapeDataString(c.FrameworkKey)}/controls/{Uri.EscapeDataString(c.Identifier)}", c.OwnerUserId, Name(names, c.OwnerUserId), People(c.OwnerUserId)));
            }
        }
    }

    private static string? Describe(LatestEvidence latest, DateOnly today) =>
        latest.Missing ? $"no current evidence (needed every {latest.FreshnessDays} days)"
        : latest.Stale && latest.FreshUntil is { } until ? $"evidence stale since {Day(until.AddDays(1))}, newest covers up to {Day(latest.PeriodTo!.Value)}"
        : null;

    /// <summary>
    /// Open nonconformities (concerning their owner and the owners of their open actions), and as
    /// dated items the corrective actions and effectiveness checks overdue or due within
    /// <see cref="DueSoonDays"/>.
    /// </summary>
    private async Task AddNonconformitiesAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var open = await db.Nonconformities.AsNoTracking()
            .Where(n => n.OrganisationId == organisationId && n.Status != NonconformityStatus.Closed)
            .Select(n => new
            {
                n.Id,
                n.Reference,
                n.Title,
                n.RaisedAt,
                n.Source,
                n.Status,
                n.DueOn,
                n.OwnerUserId,
                n.CurrentRound,
                Activity = db.Occurrences.Where(o => o.Id == n.OccurrenceId).Select(o => new { o.Activity!.OwnerUserId, o.Activity.DeputyUserId }).FirstOrDefault(),
                Check = n.Rounds.Where(r => r.Number == n.CurrentRound && r.CheckResult == null).Select(r => r.CheckDueOn).FirstOrDefault(),
            })
            .ToListAsync(ct);
        if (open.Count == 0)
        {
            return;
        }

        var ids = open.Select(n => n.Id).ToList();
        var actions = await db.CorrectiveActions.AsNoTracking()
            .Where(a => ids.Contains(a.NonconformityId) && a.Status == CorrectiveActionStatus.Open)
            .Select(a => new { a.Id, a.NonconformityId, a.Title, a.OwnerUserId, a.DueOn, a.Round })
            .ToListAsync(ct);
        var names = await NamesAsync(open.Select(n => n.OwnerUserId ?? n.Activity?.OwnerUserId).Concat(actions.Select(a => (Guid?)a.OwnerUserId)), ct);
        var horizon = today.AddDays(DueSoonDays);
        foreach (var n in open)
        {
            var raised = DateOnly.FromDateTime(n.RaisedAt.UtcDateTime);
            // Records from before owners were named belong to the missed activity's owner and deputy.
            Guid? owner = n.OwnerUserId ?? n.Activity?.OwnerUserId;
            var mine = actions.Where(a => a.NonconformityId == n.Id).ToList();
            var people = People(owner, n.OwnerUserId is null ? n.Activity?.DeputyUserId : null).Concat(mine.Select(a => a.OwnerUserId)).Distinct().ToList();
            var detail = $"{NonconformityNames.Label(n.Status).ToLowerInvariant()}, open since {Day(raised)}"
                + (n.Source == NonconformitySource.MissedActivity ? " (missed activity)" : "")
                + (n.DueOn is { } due ? (due < today ? $", closure deadline {Day(due)} passed" : $", to close by {Day(due)}") : "");
            items.Add(new AgendaItem(AgendaGroup.Nonconformities, "nonconformity", n.Reference, n.Title, detail,
                n.DueOn, $"nonconformities/{n.Id}", owner, Name(names, owner), people));

            foreach (var a in mine.Where(a => a.Round == n.CurrentRound && a.DueOn <= horizon))
            {
                var overdue = a.DueOn < today;
                items.Add(new AgendaItem(overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "corrective-action", n.Reference, a.Title,
                    $"corrective action, due {Day(a.DueOn)}, {(overdue ? Late(today, a.DueOn) : Ahead(today, a.DueOn))}",
                    a.DueOn, $"nonconformities/{n.Id}", a.OwnerUserId, names.GetValueOrDefault(a.OwnerUserId), [a.OwnerUserId]));
            }

            if (n.Status is NonconformityStatus.Done or NonconformityStatus.Checking && n.Check is { } check && check <= horizon)
            {
                var overdue = check < today;
                items.Add(new AgendaItem(overdue ? AgendaGroup.Overdue : AgendaGroup.DueSoon, "effectiveness-check", n.Reference, $"Effectiveness check: {n.Title}",
                    $"effectiveness check, due {Day(check)}, {(overdue ? Late(today, check) : Ahead(today, check))}",
                    check, $"nonconformities/{n.Id}", owner, Name(names, owner), People(owner, null)));
            }
        }
    }

    private async Task AddFindingsAsync(Guid organisationId, DateOnly today, List<AgendaItem> items, CancellationToken ct)
    {
        var findings = await db.Findings.AsNoTracking()
            .Where(f => f.OrganisationId == organisationId && f.FixedAt == null && f.DueOn != null && f.DueOn < today)
            .Select(f => new
            {
                f.RuleId,
                f.Title,
                f.Severity,
                f.Target,
                f.DueOn,
                Activity = db.Activities.Where(a => a.Id == f.ActivityId).Select(a => new { a.OwnerUserId, a.DeputyUserId, OwnerName = a.Owner!.DisplayName }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        foreach (var f in findings)
        {
            items.Add(new AgendaItem(AgendaGroup.PastDeadline, "finding", f.RuleId, f.Title,
                $"{f.Severity.ToString().ToLowerInvariant()} on {f.Target}, fix was due {Day(f.DueOn!.Value)}, {Late(today, f.DueOn.Value)}",
                f.DueOn, "findings/deadlines", f.Activity?.OwnerUserId, f.Activity?.OwnerName,
                f.Activity is null ? [] : People(f.Activity.OwnerUserId, f.Activity.DeputyUserId)));
        }

        var audit = await db.AuditFindings.AsNoTracking()
            .Where(f => f.OrganisationId == organisationId && f.ClosedOn == null && f.ClosureDeadline != null && f.ClosureDeadline < today)
            .Select(f => new { f.Reference, f.Description, f.Kind, f.ClosureDeadline })
            .ToListAsync(ct);
        foreach (var f in audit)
        {
            items.Add(new AgendaItem(AgendaGroup.PastDeadline, "audit-finding", f.Reference, Shorten(f.Description),
                $"certification-body finding, closure was due {Day(f.ClosureDeadline!.Value)}, {Late(today, f.ClosureDeadline.Value)}",
                f.ClosureDeadline, "audits", null, null, []));
        }
    }

    private async Task<Dictionary<Guid, string>> NamesAsync(IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        return wanted.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private static string? Name(Dictionary<Guid, string> names, Guid? id) => id is { } g && names.TryGetValue(g, out var n) ? n : null;

    private static IReadOnlyList<Guid> People(params Guid?[] ids) => [.. ids.OfType<Guid>().Distinct()];

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Late(DateOnly today, DateOnly due)
    {
        var days = today.DayNumber - due.DayNumber;
        return days == 1 ? "1 day overdue" : $"{days} days overdue";
    }

    private static string Ahead(DateOnly today, DateOnly due)
    {
        var days = due.DayNumber - today.DayNumber;
        return days switch { 0 => "today", 1 => "tomorrow", _ => $"in {days} days" };
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "…");
}
