using Microsoft.EntityFrameworkCore;
using Perennial.Data;

namespace Perennial.Nonconformities;

/// <summary>A corrective action or an effectiveness check still to be done, as a dated item on the calendar.</summary>
/// <param name="Id">The action's id, or the round's for a check: stable, so a calendar's copy updates in place.</param>
public sealed record CalendarObligation(
    Guid Id, bool IsCheck, Guid NonconformityId, string NonconformityReference, string NonconformityTitle, string Title,
    DateOnly DueOn, Guid? OwnerUserId, string? OwnerName, string? OwnerEmail, DateTimeOffset Stamp);

/// <summary>
/// The corrective actions and effectiveness checks due in a range, for the maintenance calendar and
/// the feeds: open actions of a nonconformity's current round, and the current round's check once its
/// actions are done. The check is the nonconformity owner's unless they own one of the round's
/// actions, as the reminders have it; then it is for an ISMS manager and has no owner here.
/// </summary>
public sealed class ObligationCalendar(PerennialDbContext db)
{
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
        var people = actions.Select(a => a.Owner).Concat(checkers.Select(c => c.Checker)).OfType<Guid>().Distinct().ToList();
        var names = people.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => EF.Parameter(people).Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.Email), ct);
        CalendarObligation Make(Guid id, bool check, Guid nc, string reference, string ncTitle, string title, DateOnly due, Guid? owner, DateTimeOffset stamp) =>
            new(id, check, nc, reference, ncTitle, title, due, owner,
                owner is { } o && names.TryGetValue(o, out var p) ? p.DisplayName : null, owner is { } e && names.TryGetValue(e, out var q) ? q.Email : null, stamp);
        return [.. actions.Select(a => Make(a.Id, false, a.NonconformityId, a.Reference, a.NonconformityTitle, $"Corrective action: {a.Title}", a.DueOn, a.Owner, a.CreatedAt))
            .Concat(checkers.Select(x => Make(x.Check.Id, true, x.Check.NonconformityId, x.Check.Reference, x.Check.NonconformityTitle, $"Effectiveness check, round {x.Check.Number}", x.Check.Due, x.Checker, x.Check.RaisedAt)))
            .OrderBy(o => o.DueOn).ThenBy(o => o.NonconformityReference, StringComparer.Ordinal).ThenBy(o => o.IsCheck).ThenBy(o => o.Title, StringComparer.Ordinal)];
    }
}
