using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Paging;

namespace Perennial.Nonconformities;

public sealed record NonconformityListItem(Guid Id, string Reference, string Title, NonconformitySource Source, NonconformityStatus Status, Guid? OccurrenceId, Guid? ActivityId, DateTimeOffset RaisedAt, DateTimeOffset? ClosedAt);

/// <summary>The nonconformity log (a simple record for now) and the check that raises one for each missed occurrence.</summary>
public sealed class NonconformityService(PerennialDbContext db, TimeProvider time)
{
    public async Task<Paged<NonconformityListItem>> ListAsync(Guid organisationId, NonconformityStatus? status, PageRequest page, CancellationToken ct)
    {
        var items = db.Nonconformities.Where(n => n.OrganisationId == organisationId);
        if (status is NonconformityStatus s)
        {
            items = items.Where(n => n.Status == s);
        }

        return await items.OrderByDescending(n => n.RaisedAt).ThenByDescending(n => n.Reference)
            .Select(n => new NonconformityListItem(n.Id, n.Reference, n.Title, n.Source, n.Status, n.OccurrenceId,
                db.Occurrences.Where(o => o.Id == n.OccurrenceId).Select(o => (Guid?)o.ActivityId).FirstOrDefault(), n.RaisedAt, n.ClosedAt))
            .ToPagedAsync(page, ct);
    }

    public async Task<Nonconformity> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Nonconformities.FirstOrDefaultAsync(n => n.OrganisationId == organisationId && n.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such nonconformity in this organisation.");

    public async Task<Nonconformity> SetStatusAsync(Guid organisationId, Guid id, NonconformityStatus status, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        if (nc.Status != status)
        {
            nc.Status = status;
            nc.ClosedAt = status == NonconformityStatus.Closed ? time.GetUtcNow() : null;
            await db.SaveChangesAsync(ct);
        }

        return nc;
    }

    /// <summary>
    /// Raises a nonconformity for every open occurrence whose grace period has ended at
    /// <paramref name="now"/> (the day after due date + grace, in the activity's zone). Safe to run
    /// on several instances at once: the unique occurrence link lets only one record exist.
    /// </summary>
    public async Task<int> RaiseForMissedAsync(DateTimeOffset now, CancellationToken ct)
    {
        // Coarse filter in SQL (due at least a day ago), exact grace check per activity's zone below.
        var candidates = await db.Occurrences
            .Where(o => o.State == OccurrenceState.Open && o.NonconformityId == null && o.DueAt < now.AddDays(-1)
                && o.Activity!.State == ActivityState.Active)
            .Select(o => new { o.Id, o.OrganisationId, o.DueDate, o.Activity!.GraceDays, o.Activity.TimeZone, o.Activity.Reference, o.Activity.Title })
            .ToListAsync(ct);
        var raised = 0;
        foreach (var c in candidates)
        {
            var today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(now, c.TimeZone));
            if (today <= c.DueDate.AddDays(c.GraceDays))
            {
                continue;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.LockAsync($"nonconformities:{c.OrganisationId}", ct);
            var occurrence = await db.Occurrences.FirstAsync(o => o.Id == c.Id, ct);
            if (occurrence.NonconformityId is not null || occurrence.State != OccurrenceState.Open)
            {
                db.ChangeTracker.Clear();
                continue;
            }

            var number = await db.Nonconformities.CountAsync(n => n.OrganisationId == c.OrganisationId, ct) + 1;
            var reference = $"NC-{number:000}";
            while (await db.Nonconformities.AnyAsync(n => n.OrganisationId == c.OrganisationId && n.Reference == reference, ct))
            {
                reference = $"NC-{++number:000}";
            }

            var nc = new Nonconformity
            {
                Id = Guid.NewGuid(),
                OrganisationId = c.OrganisationId,
                Reference = reference,
                Title = Truncate($"Missed: {c.Reference} {c.Title} due {c.DueDate:yyyy-MM-dd}", Nonconformity.TitleMaxLength),
                Description = $"The occurrence due on {c.DueDate:yyyy-MM-dd} was still open when its {c.GraceDays}-day grace period ended.",
                Source = NonconformitySource.MissedActivity,
                OccurrenceId = c.Id,
                RaisedAt = now,
            };
            db.Nonconformities.Add(nc);
            occurrence.NonconformityId = nc.Id;
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                raised++;
            }
            catch (DbUpdateException)
            {
                // Another instance raised it first (unique occurrence link).
                await transaction.RollbackAsync(ct);
            }

            db.ChangeTracker.Clear();
        }

        return raised;
    }

    private static string Truncate(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;
}
