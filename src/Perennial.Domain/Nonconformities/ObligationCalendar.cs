using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Reminders;

namespace Perennial.Nonconformities;

/// <summary>
/// A dated obligation still to be done, as an item on the calendar: a corrective action, an
/// effectiveness check, a management review's decision, a scheduled management review, or a
/// context-register entry's review, or an auditor's request waiting for its answer.
/// </summary>
/// <param name="Id">The action's id, the round's for a check, the decision's, the review's or the entry's: stable, so a calendar's copy updates in place.</param>
/// <param name="RecordId">The nonconformity, review or context entry the obligation belongs to.</param>
public sealed record CalendarObligation(
    Guid Id, ObligationKind Kind, Guid RecordId, string RecordReference, string RecordTitle, string Title,
    DateOnly DueOn, Guid? OwnerUserId, string? OwnerName, string? OwnerEmail, DateTimeOffset Stamp)
{
    public bool IsCheck => Kind == ObligationKind.EffectivenessCheck;

    /// <summary>Where it is done, relative to the organisation's pages.</summary>
    public string Path => Kind switch
    {
        ObligationKind.ReviewDecision or ObligationKind.ReviewMeeting => $"management-reviews/{RecordId:D}",
        ObligationKind.ContextReview => $"context/{RecordId:D}",
        ObligationKind.AuditRequest => $"auditor#request-{Uri.EscapeDataString(RecordReference)}",
        _ => $"nonconformities/{RecordId:D}",
    };
}

/// <summary>
/// The obligations due in a range, for the maintenance calendar and the feeds: open actions of a
/// nonconformity's current round, and the current round's check once its actions are done; open
/// decisions of management reviews; scheduled management reviews (their chair's, and their
/// attendees' when a person's calendar is asked for); due reviews of context entries; and auditors'
/// requests waiting for an answer, their assignee's. The check
/// is the nonconformity owner's unless they own one of the round's actions, as the reminders have
/// it; then it is for an ISMS manager and has no owner here.
/// </summary>
public sealed class ObligationCalendar(PerennialDbContext db)
{
    private const int HeadlineLength = 80;

    /// <summary>A request's first line, shortened, for a calendar entry's title.</summary>
    public static string Headline(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length <= HeadlineLength ? line : string.Concat(line.AsSpan(0, HeadlineLength - 1), "…");
    }

    public async Task<IReadOnlyList<CalendarObligation>> ListAsync(Guid organisationId, DateOnly start, DateOnly end, Guid? ownerUserId, CancellationToken ct)
    {
        var actions = await (
                from a in db.CorrectiveActions.AsNoTracking()
                join n in db.Nonconformities on a.NonconformityId equals n.Id
                where a.OrganisationId == organisationId && a.Status == CorrectiveActionStatus.Open && a.Round == n.CurrentRound
                    && n.Status != NonconformityStatus.Closed && a.DueOn >= start && a.DueOn <= end
                    && (ownerUserId == null || a.OwnerUserId == ownerUserId)
                select new { a.Id, n.Reference, NonconformityId = n.Id, NonconformityTitle = n.Title, a.Title, a.DueOn, Owner = (Guid?)a.OwnerUserId, a.CreatedAt })
            .ToListAsync(ct);
        var checks = await (
                from r in db.NonconformityRounds.AsNoTracking()
                join n in db.Nonconformities on r.NonconformityId equals n.Id
                where r.OrganisationId == organisationId && r.Number == n.CurrentRound && r.CheckResult == null && r.CheckDueOn != null
                    && r.CheckDueOn >= start && r.CheckDueOn <= end
                    && (n.Status == NonconformityStatus.Done || n.Status == NonconformityStatus.Checking)
                select new { r.Id, n.Reference, NonconformityId = n.Id, NonconformityTitle = n.Title, r.Number, Due = r.CheckDueOn!.Value, n.OwnerUserId, n.RaisedAt })
            .ToListAsync(ct);

        // As the reminders decide it: the owner checks unless they own one of the round's actions; then an ISMS manager who owns none does.
        var waiting = checks.Select(c => c.NonconformityId).ToList();
        var actionOwners = waiting.Count == 0 ? [] : (await db.CorrectiveActions.AsNoTracking()
                .Where(a => EF.Parameter(waiting).Contains(a.NonconformityId) && a.Status != CorrectiveActionStatus.Cancelled)
                .Select(a => new { a.NonconformityId, a.Round, a.OwnerUserId }).ToListAsync(ct))
            .Select(a => (a.NonconformityId, a.Round, a.OwnerUserId)).ToHashSet();
        var checkers = checks
            .Select(c => new { Check = c, Checker = c.OwnerUserId is { } o && !actionOwners.Contains((c.NonconformityId, c.Number, o)) ? o : (Guid?)null })
            .Where(c => ownerUserId == null || c.Checker == ownerUserId)
            .ToList();
        var decisions = await (
                from d in db.ReviewDecisions.AsNoTracking()
                join r in db.ManagementReviews on d.ReviewId equals r.Id
                where d.OrganisationId == organisationId && d.Status == ManagementReviews.DecisionStatus.Open && d.DueOn >= start && d.DueOn <= end
                    && (ownerUserId == null || d.OwnerUserId == ownerUserId)
                select new { d.Id, d.ReviewId, r.Reference, ReviewTitle = r.Title, d.Title, d.DueOn, d.OwnerUserId, d.CreatedAt })
            .ToListAsync(ct);
        var reviews = await db.ManagementReviews.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.Status == ManagementReviews.ReviewStatus.Scheduled && r.ScheduledOn >= start && r.ScheduledOn <= end
                && (ownerUserId == null || r.ChairUserId == ownerUserId || r.Attendees.Any(a => a.UserId == ownerUserId)))
            .Select(r => new { r.Id, r.Reference, r.Title, r.ScheduledOn, r.ChairUserId, r.UpdatedAt })
            .ToListAsync(ct);
        var entries = await db.ContextEntries.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.Status == OrganisationContext.ContextStatus.Active && e.NextReviewOn >= start && e.NextReviewOn <= end
                && (ownerUserId == null || e.OwnerUserId == ownerUserId))
            .Select(e => new { e.Id, e.Reference, e.Title, e.NextReviewOn, e.OwnerUserId, e.UpdatedAt })
            .ToListAsync(ct);
        var requests = await db.AuditRequests.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.Status == AuditorWorkspace.AuditRequestStatus.Open && r.DueOn >= start && r.DueOn <= end
                && (ownerUserId == null || r.AssigneeUserId == ownerUserId))
            .Select(r => new { r.Id, r.Reference, r.Text, r.DueOn, r.AssigneeUserId, r.UpdatedAt })
            .ToListAsync(ct);
        var people = actions.Select(a => a.Owner).Concat(requests.Select(r => (Guid?)r.AssigneeUserId)).Concat(checkers.Select(c => c.Checker))
            .Concat(decisions.Select(d => (Guid?)d.OwnerUserId)).Concat(reviews.Select(r => (Guid?)r.ChairUserId)).Concat(entries.Select(e => (Guid?)e.OwnerUserId))
            .OfType<Guid>().Distinct().ToList();
        var names = people.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => EF.Parameter(people).Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.Email), ct);
        CalendarObligation Make(Guid id, ObligationKind kind, Guid record, string reference, string recordTitle, string title, DateOnly due, Guid? owner, DateTimeOffset stamp) =>
            new(id, kind, record, reference, recordTitle, title, due, owner,
                owner is { } o && names.TryGetValue(o, out var p) ? p.DisplayName : null, owner is { } e && names.TryGetValue(e, out var q) ? q.Email : null, stamp);
        return [.. actions.Select(a => Make(a.Id, ObligationKind.CorrectiveAction, a.NonconformityId, a.Reference, a.NonconformityTitle, $"Corrective action: {a.Title}", a.DueOn, a.Owner, a.CreatedAt))
            .Concat(checkers.Select(x => Make(x.Check.Id, ObligationKind.EffectivenessCheck, x.Check.NonconformityId, x.Check.Reference, x.Check.NonconformityTitle, $"Effectiveness check, round {x.Check.Number}", x.Check.Due, x.Checker, x.Check.RaisedAt)))
            .Concat(decisions.Select(d => Make(d.Id, ObligationKind.ReviewDecision, d.ReviewId, d.Reference, d.ReviewTitle, $"Review decision: {d.Title}", d.DueOn, d.OwnerUserId, d.CreatedAt)))
            .Concat(reviews.Select(r => Make(r.Id, ObligationKind.ReviewMeeting, r.Id, r.Reference, r.Title, $"Management review: {r.Title}", r.ScheduledOn, r.ChairUserId, r.UpdatedAt)))
            .Concat(entries.Select(e => Make(e.Id, ObligationKind.ContextReview, e.Id, e.Reference, e.Title, $"Context review: {e.Title}", e.NextReviewOn, e.OwnerUserId, e.UpdatedAt)))
            .Concat(requests.Select(r => Make(r.Id, ObligationKind.AuditRequest, r.Id, r.Reference, "for the external audit", $"Auditor's request: {Headline(r.Text)}", r.DueOn, r.AssigneeUserId, r.UpdatedAt)))
            .OrderBy(o => o.DueOn).ThenBy(o => o.RecordReference, StringComparer.Ordinal).ThenBy(o => o.Kind).ThenBy(o => o.Title, StringComparer.Ordinal)];
    }
}
