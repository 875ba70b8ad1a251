using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Nonconformities;

/// <summary>Every filter narrows the log; <paramref name="OverdueOnly"/> keeps open ones past their date or with a corrective action past its date.</summary>
public sealed record NonconformityQuery(
    NonconformityStatus? Status = null, NonconformitySource? Source = null, NonconformitySeverity? Severity = null, Guid? OwnerUserId = null, bool OverdueOnly = false,
    bool OpenOnly = false);

public sealed record NonconformityLogItem(
    Guid Id, string Reference, string Title, NonconformitySource Source, NonconformitySeverity Severity, string? Identifier, NonconformityStatus Status,
    Guid? OwnerUserId, string? OwnerEmail, string? OwnerName, DateTimeOffset RaisedAt, DateOnly? DueOn, DateTimeOffset? ClosedAt, string? ClosureJustification,
    Guid? OccurrenceId, int OpenActions, int OverdueActions, int Round, int AgeDays, bool Overdue);

/// <summary>The nonconformity log: filtered, paged, newest first, with ageing and overdue actions.</summary>
public sealed class NonconformityLog(PerennialDbContext db, TimeProvider time)
{
    public static bool IsOverdue(NonconformityStatus status, DateOnly? dueOn, DateOnly today) =>
        status != NonconformityStatus.Closed && dueOn is { } due && due < today;

    public async Task<Paged<NonconformityLogItem>> ListAsync(Guid organisationId, NonconformityQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var items = db.Nonconformities.AsNoTracking().Where(n => n.OrganisationId == organisationId);
        if (query.Status is { } status)
        {
            items = items.Where(n => n.Status == status);
        }

        if (query.OpenOnly)
        {
            items = items.Where(n => n.Status != NonconformityStatus.Closed);
        }

        if (query.Source is { } source)
        {
            items = items.Where(n => n.Source == source);
        }

        if (query.Severity is { } severity)
        {
            items = items.Where(n => n.Severity == severity);
        }

        if (query.OwnerUserId is { } owner)
        {
            items = items.Where(n => n.OwnerUserId == owner || n.Actions.Any(a => a.OwnerUserId == owner && a.Status == CorrectiveActionStatus.Open));
        }

        if (query.OverdueOnly)
        {
            items = items.Where(n => n.Status != NonconformityStatus.Closed
                && ((n.DueOn != null && n.DueOn < today) || n.Actions.Any(a => a.Status == CorrectiveActionStatus.Open && a.DueOn < today)));
        }

        var rows = await items
            .OrderByDescending(n => n.RaisedAt).ThenByDescending(n => n.Reference)
            .Select(n => new
            {
                n.Id,
                n.Reference,
                n.Title,
                n.Source,
                n.Severity,
                n.Identifier,
                n.Status,
                n.OwnerUserId,
                OwnerEmail = db.Users.Where(u => u.Id == n.OwnerUserId).Select(u => u.Email).FirstOrDefault(),
                OwnerName = db.Users.Where(u => u.Id == n.OwnerUserId).Select(u => u.DisplayName).FirstOrDefault(),
                n.RaisedAt,
                n.DueOn,
                n.ClosedAt,
                n.ClosureJustification,
                n.OccurrenceId,
                OpenActions = n.Actions.Count(a => a.Status == CorrectiveActionStatus.Open),
                OverdueActions = n.Actions.Count(a => a.Status == CorrectiveActionStatus.Open && a.DueOn < today),
                n.CurrentRound,
            })
            .ToPagedAsync(page, ct);
        return new Paged<NonconformityLogItem>(
            [.. rows.Items.Select(r => new NonconformityLogItem(
                r.Id, r.Reference, r.Title, r.Source, r.Severity, r.Identifier, r.Status, r.OwnerUserId, r.OwnerEmail, r.OwnerName, r.RaisedAt, r.DueOn,
                r.ClosedAt, r.ClosureJustification, r.OccurrenceId, r.OpenActions, r.OverdueActions, r.CurrentRound,
                (r.ClosedAt is { } closed ? DateOnly.FromDateTime(closed.UtcDateTime) : today).DayNumber - DateOnly.FromDateTime(r.RaisedAt.UtcDateTime).DayNumber,
                IsOverdue(r.Status, r.DueOn, today) || r.OverdueActions > 0))],
            rows.Page, rows.PageSize, rows.Total);
    }
}
