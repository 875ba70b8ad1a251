using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Certification;
using Perennial.Data;

namespace Perennial.Nonconformities;

/// <summary>
/// Nonconformities raised by the system: one for each missed occurrence, and one for each major or
/// minor nonconformity a certification body records, which follows the finding's deadline.
/// </summary>
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

    /// <summary>
    /// Keeps the nonconformity that stands for a certification-body finding: raised when the finding
    /// is a major or minor nonconformity, and following the finding's severity, clause or control and
    /// closure deadline afterwards (the certification body's deadline is the one that counts). A
    /// finding recorded as already closed by the body gets a closed record saying so.
    /// </summary>
    public async Task SyncFindingAsync(Guid findingId, DateTimeOffset now, CancellationToken ct)
    {
        var row = await (
                from f in db.AuditFindings.AsNoTracking()
                join a in db.ExternalAudits on f.ExternalAuditId equals a.Id
                join c in db.CertificationCycles on a.CycleId equals c.Id
                where f.Id == findingId
                select new { Finding = f, AuditKind = a.Kind, a.HeldOn, Body = c.CertificationBody })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return;
        }

        var finding = row.Finding;
        var existing = await db.Nonconformities.FirstOrDefaultAsync(n => n.AuditFindingId == findingId, ct);
        if (existing is not null)
        {
            if (SeverityOf(finding.Kind) is { } severity)
            {
                existing.Severity = severity;
            }

            existing.Identifier = finding.ControlIdentifier ?? existing.Identifier;
            existing.DueOn = finding.ClosureDeadline;
            await db.SaveChangesAsync(ct);
            return;
        }

        if (SeverityOf(finding.Kind) is not { } kind)
        {
            return;
        }

        var body = string.IsNullOrWhiteSpace(row.Body) ? "The certification body" : row.Body;
        await RaiseOnceAsync(finding.OrganisationId, reference => new Nonconformity
        {
            Id = Guid.NewGuid(),
            OrganisationId = finding.OrganisationId,
            Reference = reference,
            Title = Truncate($"{body} finding {finding.Reference}: {FirstLine(finding.Description)}", Nonconformity.TitleMaxLength),
            Description = Truncate(
                $"{finding.Kind.ToLabel()} recorded at the {row.AuditKind.ToLabel().ToLowerInvariant()}, to be closed by {finding.ClosureDeadline:yyyy-MM-dd}.\n\n{finding.Description}",
                Nonconformity.TextMaxLength),
            Source = NonconformitySource.CertificationBody,
            Severity = kind,
            Identifier = finding.ControlIdentifier,
            AuditFindingId = finding.Id,
            DueOn = finding.ClosureDeadline,
            RaisedByName = Truncate(body, 256),
            // Raised when the audit found it, as far as that is known.
            RaisedAt = row.HeldOn is { } held && AtMidnight(held) < now ? AtMidnight(held) : now,
            Status = finding.ClosedOn is null ? NonconformityStatus.Raised : NonconformityStatus.Closed,
            ClosedAt = finding.ClosedOn is { } closed ? AtMidnight(closed) : null,
            ClosureJustification = finding.ClosedOn is { } on
                ? $"{body} closed finding {finding.Reference} on {on:yyyy-MM-dd}, before it was followed here."
                : null,
        }, ct);
    }

    /// <summary>Raises the nonconformity of every certification-body finding that has none yet (findings recorded before the loop existed).</summary>
    public async Task<int> SyncFindingsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var missing = await db.AuditFindings.AsNoTracking()
            .Where(f => (f.Kind == FindingKind.MajorNonconformity || f.Kind == FindingKind.MinorNonconformity)
                && !db.Nonconformities.Any(n => n.AuditFindingId == f.Id))
            .Select(f => f.Id).ToListAsync(ct);
        foreach (var id in missing)
        {
            await SyncFindingAsync(id, now, ct);
        }

        return missing.Count;
    }

    private static DateTimeOffset AtMidnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static NonconformitySeverity? SeverityOf(FindingKind kind) => kind switch
    {
        FindingKind.MajorNonconformity => NonconformitySeverity.Major,
        FindingKind.MinorNonconformity => NonconformitySeverity.Minor,
        _ => null,
    };

    /// <summary>Adds a nonconformity under the organisation's lock; a unique link (occurrence, finding) taken first by another instance leaves it out.</summary>
    private async Task<bool> RaiseOnceAsync(Guid organisationId, Func<string, Nonconformity> build, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"nonconformities:{organisationId}", ct);
        var nc = build(await workflow.NextReferenceAsync(organisationId, ct));
        nc.Rounds.Add(NonconformityWorkflow.NewRound(nc, 1));
        db.Nonconformities.Add(nc);
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(ct);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? text.Trim() : line;
    }

    private static string Truncate(string text, int length) => text.Length > length ? text[..(length - 1)] + "…" : text;
}
