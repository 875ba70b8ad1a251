using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Data;

namespace Perennial.Nonconformities;

/// <summary>The check that raises a nonconformity for each missed occurrence.</summary>
public sealed class NonconformityService(PerennialDbContext db, NonconformityWorkflow workflow)
{
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
            .Select(o => new { o.Id, o.OrganisationId, o.DueDate, o.Activity!.GraceDays, o.Activity.TimeZone, o.Activity.Reference, o.Activity.Title, o.Activity.OwnerUserId })
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

            var reference = await workflow.NextReferenceAsync(c.OrganisationId, ct);
            var nc = new Nonconformity
            {
                Id = Guid.NewGuid(),
                OrganisationId = c.OrganisationId,
                Reference = reference,
                Title = Truncate($"Missed: {c.Reference} {c.Title} due {c.DueDate:yyyy-MM-dd}", Nonconformity.TitleMaxLength),
                Description = $"The occurrence due on {c.DueDate:yyyy-MM-dd} was still open when its {c.GraceDays}-day grace period ended.",
                Source = NonconformitySource.MissedActivity,
                Severity = NonconformitySeverity.Minor,
                OccurrenceId = c.Id,
                OwnerUserId = c.OwnerUserId,
                RaisedByName = "system",
                RaisedAt = now,
            };
            nc.Rounds.Add(NonconformityWorkflow.NewRound(nc, 1));
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
