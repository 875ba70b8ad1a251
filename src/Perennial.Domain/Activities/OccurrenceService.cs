using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Evidence.Storage;
using Perennial.Organisations;

namespace Perennial.Activities;

/// <summary>An occurrence as lists, calendars, feeds and reminders show it.</summary>
public sealed record OccurrenceRow(
    Guid Id,
    Guid ActivityId,
    string ActivityReference,
    string ActivityTitle,
    Guid OwnerUserId,
    string OwnerName,
    string? OwnerEmail,
    Guid? DeputyUserId,
    string? DeputyName,
    DateTime Due,
    DateTimeOffset DueAt,
    string TimeZone,
    OccurrenceState State,
    OccurrenceStatus Status,
    DateTimeOffset? CompletedAt,
    int EvidenceCount,
    Guid? NonconformityId,
    Guid? ExternalAuditId,
    int Sequence,
    DateTimeOffset UpdatedAt);

/// <summary>
/// Filters for calendar queries; every field narrows the result. <see cref="WithOwnersAudits"/> widens
/// <see cref="OwnerUserId"/> to the internal audits that person is an auditor on, whoever owns their
/// calendar entry (an auditor from outside cannot own an activity).
/// </summary>
public sealed record OccurrenceQuery(
    DateOnly From,
    DateOnly To,
    Guid? ActivityId = null,
    Guid? OwnerUserId = null,
    Guid? ControlId = null,
    Guid? FrameworkId = null,
    OccurrenceStatus? Status = null,
    bool IncludeInactive = false,
    bool WithOwnersAudits = false);

/// <summary>A file handed in with an occurrence, and which evidence requirement it answers (if the form said).</summary>
public sealed record EvidenceFile(string FileName, string? ContentType, Stream Content, string? Requirement = null);

/// <summary>A link handed in as evidence.</summary>
public sealed record EvidenceLink(string Url, string? Requirement = null);

/// <summary>Who is acting on an occurrence and with which role in its organisation.</summary>
public sealed record OccurrenceActor(Guid UserId, OrgRole Role);

/// <summary>Occurrence queries, completion with evidence, skipping, and moving by hand.</summary>
public sealed class OccurrenceService(PerennialDbContext db, TimeProvider time, IEvidenceStore files)
{
    /// <summary>Longest range a calendar query may cover.</summary>
    public const int MaxRangeDays = 6 * 366;

    /// <summary>The status an occurrence shows at <paramref name="now"/>.</summary>
    public static OccurrenceStatus StatusOf(OccurrenceState state, DateOnly dueDate, DateTimeOffset? completedAt, string timeZone, IReadOnlyList<int> leadDays, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leadDays);
        switch (state)
        {
            case OccurrenceState.Skipped:
                return OccurrenceStatus.Skipped;
            case OccurrenceState.Completed:
                var doneOn = DateOnly.FromDateTime(ActivitySchedule.LocalNow(completedAt ?? now, timeZone));
                return doneOn <= dueDate ? OccurrenceStatus.CompletedOnTime : OccurrenceStatus.CompletedLate;
            default:
                var today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(now, timeZone));
                if (today > dueDate)
                {
                    return OccurrenceStatus.Overdue;
                }

                return dueDate.DayNumber - today.DayNumber <= DueSoonDays(leadDays) ? OccurrenceStatus.DueSoon : OccurrenceStatus.Upcoming;
        }
    }

    /// <summary>An occurrence is "due soon" from its first reminder on, but never more than 14 days ahead.</summary>
    public static int DueSoonDays(IReadOnlyList<int> leadDays) => leadDays is { Count: > 0 } ? Math.Min(14, leadDays.Max()) : 14;

    public async Task<IReadOnlyList<OccurrenceRow>> ListAsync(Guid organisationId, OccurrenceQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.To < query.From)
        {
            throw UseCaseException.Invalid("to", "'to' must not be before 'from'.");
        }

        if (query.To.DayNumber - query.From.DayNumber > MaxRangeDays)
        {
            throw UseCaseException.Invalid("to", "A calendar query covers at most six years.");
        }

        var occurrences = db.Occurrences.Where(o => o.OrganisationId == organisationId && o.DueDate >= query.From && o.DueDate <= query.To);
        if (query.ActivityId is Guid activity)
        {
            occurrences = occurrences.Where(o => o.ActivityId == activity);
        }

        if (query.OwnerUserId is Guid owner)
        {
            occurrences = query.WithOwnersAudits
                ? occurrences.Where(o => o.Activity!.OwnerUserId == owner || o.Activity.DeputyUserId == owner
                    || db.InternalAudits.Any(a => a.OrganisationId == organisationId && a.ActivityId == o.ActivityId && a.Auditors.Any(x => x.UserId == owner)))
                : occurrences.Where(o => o.Activity!.OwnerUserId == owner || o.Activity.DeputyUserId == owner);
        }

        if (query.ControlId is Guid control)
        {
            occurrences = occurrences.Where(o => o.Activity!.Controls.Any(c => c.ControlId == control));
        }

        if (query.FrameworkId is Guid framework)
        {
            occurrences = occurrences.Where(o => o.Activity!.Frameworks.Any(f => f.FrameworkId == framework)
                || o.Activity.Controls.Any(c => db.Controls.Any(k => k.Id == c.ControlId && k.FrameworkId == framework)));
        }

        if (!query.IncludeInactive)
        {
            occurrences = occurrences.Where(o => o.Activity!.State != ActivityState.Retired || o.State != OccurrenceState.Open);
        }

        occurrences = query.Status switch
        {
            OccurrenceStatus.Skipped => occurrences.Where(o => o.State == OccurrenceState.Skipped),
            OccurrenceStatus.CompletedLate or OccurrenceStatus.CompletedOnTime => occurrences.Where(o => o.State == OccurrenceState.Completed),
            OccurrenceStatus.Upcoming or OccurrenceStatus.DueSoon or OccurrenceStatus.Overdue => occurrences.Where(o => o.State == OccurrenceState.Open),
            _ => occurrences,
        };

        // A three-year calendar has tens of thousands of rows but only hundreds of activities: read
        // the occurrences' own columns, and each activity's details and people once, then join here.
        var rows = await occurrences
            .Select(o => new
            {
                o.Id,
                o.ActivityId,
                o.DueDate,
                o.DueTime,
                o.DueAt,
                o.State,
                o.CompletedAt,
                EvidenceCount = o.Evidence.Count,
                o.NonconformityId,
                o.ExternalAuditId,
                o.Sequence,
                o.UpdatedAt,
            })
            .ToListAsync(ct);
        // All the organisation's activities (hundreds at most) cost less to read than a long list of ids to send.
        var activities = rows.Count == 0 ? [] : await db.Activities
            .Where(a => a.OrganisationId == organisationId && (query.ActivityId == null || a.Id == query.ActivityId))
            .Select(a => new ActivityColumns(
                a.Id, a.Reference, a.Title, a.OwnerUserId, a.Owner!.DisplayName, a.Owner.Email, a.DeputyUserId, a.Deputy!.DisplayName, a.TimeZone, a.ReminderLeadDays))
            .ToDictionaryAsync(a => a.Id, ct);
        var now = time.GetUtcNow();
        var result = rows
            .Select(r => (Row: r, Activity: activities[r.ActivityId]))
            .OrderBy(x => x.Row.DueAt).ThenBy(x => x.Activity.Reference, StringComparer.Ordinal)
            .Select(x => new OccurrenceProjection(
                x.Row.Id, x.Row.ActivityId, x.Activity.Reference, x.Activity.Title, x.Activity.OwnerUserId, x.Activity.OwnerName, x.Activity.OwnerEmail,
                x.Activity.DeputyUserId, x.Activity.DeputyName, x.Row.DueDate, x.Row.DueTime, x.Row.DueAt, x.Activity.TimeZone, x.Activity.LeadDays,
                x.Row.State, x.Row.CompletedAt, x.Row.EvidenceCount, x.Row.NonconformityId, x.Row.ExternalAuditId, x.Row.Sequence, x.Row.UpdatedAt).ToRow(now));
        return query.Status is OccurrenceStatus status ? [.. result.Where(r => r.Status == status)] : [.. result];
    }

    private sealed record ActivityColumns(
        Guid Id, string Reference, string Title, Guid OwnerUserId, string OwnerName, string? OwnerEmail, Guid? DeputyUserId, string? DeputyName, string TimeZone, List<int> LeadDays);

    public async Task<OccurrenceRow> GetRowAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var row = await Project(db.Occurrences.Where(o => o.OrganisationId == organisationId && o.Id == id)).FirstOrDefaultAsync(ct)
            ?? throw UseCaseException.NotFound("No such occurrence in this organisation.");
        return row.ToRow(time.GetUtcNow());
    }

    /// <summary>The occurrence with its activity, evidence and people, for its page.</summary>
    public async Task<Occurrence> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Occurrences
            .Include(o => o.Activity).ThenInclude(a => a!.Owner)
            .Include(o => o.Activity).ThenInclude(a => a!.Deputy)
            .Include(o => o.Evidence)
            .Include(o => o.CompletedBy).Include(o => o.SkipApprovedBy)
            .AsSplitQuery()
            .FirstOrDefaultAsync(o => o.OrganisationId == organisationId && o.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such occurrence in this organisation.");

    public OccurrenceStatus StatusOf(Occurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        var activity = occurrence.Activity ?? throw new InvalidOperationException("Load the activity first.");
        return StatusOf(occurrence.State, occurrence.DueDate, occurrence.CompletedAt, activity.TimeZone, activity.ReminderLeadDays, time.GetUtcNow());
    }

    /// <summary>
    /// Completes an open occurrence. The activity's required evidence must be covered by files and
    /// links (new or already attached): items named for a requirement answer it, unnamed ones fill
    /// the remaining requirements in order. Owner, deputy, managers and admins may complete.
    /// </summary>
    public async Task<Occurrence> CompleteAsync(
        Guid organisationId, Guid id, OccurrenceActor actor, string? notes,
        IReadOnlyList<EvidenceFile> newFiles, IReadOnlyList<EvidenceLink> newLinks, long maxFileBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(newFiles);
        ArgumentNullException.ThrowIfNull(newLinks);
        var occurrence = await GetAsync(organisationId, id, ct);
        var activity = occurrence.Activity!;
        CheckCanAct(activity, actor, "complete");
        if (occurrence.State != OccurrenceState.Open)
        {
            throw UseCaseException.Conflict("state", $"This occurrence is already {(occurrence.State == OccurrenceState.Completed ? "completed" : "skipped")}.");
        }

        var cleanNotes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        if (cleanNotes?.Length > Occurrence.NotesMaxLength)
        {
            throw UseCaseException.Invalid("notes", $"The notes are longer than {Occurrence.NotesMaxLength} characters.");
        }

        var links = new List<EvidenceLink>();
        foreach (var link in newLinks.Where(l => !string.IsNullOrWhiteSpace(l.Url)))
        {
            var url = link.Url.Trim();
            if (url.Length > OccurrenceEvidence.UrlMaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw UseCaseException.Invalid("links", $"'{Shorten(url)}' is not an http(s) link.");
            }

            links.Add(link with { Url = url, Requirement = CleanRequirement(link.Requirement, activity) });
        }

        var requirements = newFiles.Select(f => CleanRequirement(f.Requirement, activity)).ToList();
        var planned = occurrence.Evidence.Select(e => e.Requirement)
            .Concat(requirements).Concat(links.Select(l => l.Requirement)).ToList();
        var missing = MissingEvidence(activity.EvidenceRequired, planned);
        if (missing.Count > 0)
        {
            throw UseCaseException.Invalid("evidence",
                $"{activity.Reference} needs evidence before it can be completed: {string.Join("; ", missing)}. Attach a file or link for each, or ask a manager to skip it with a reason.");
        }

        // Store the bytes first: content is addressed by hash, so a failure later leaves no record pointing at missing content.
        var now = time.GetUtcNow();
        var added = new List<OccurrenceEvidence>();
        var items = new List<EvidenceItem>();
        for (var i = 0; i < newFiles.Count; i++)
        {
            var file = newFiles[i];
            StoredContent stored;
            try
            {
                stored = await files.PutAsync(file.Content, maxFileBytes, ct);
            }
            catch (ContentTooLargeException e)
            {
                throw UseCaseException.Invalid("files", $"{SafeFileName(file.FileName)}: {e.Message}");
            }

            var item = NewEvidenceItem(occurrence, actor, now, EvidenceKind.File);
            item.Title = SafeFileName(file.FileName);
            item.FileName = item.Title;
            item.ContentType = EvidenceService.SafeContentType(file.ContentType);
            item.Size = stored.Size;
            item.Sha256 = stored.Sha256;
            items.Add(item);
            added.Add(OccurrenceEvidence.For(item, occurrence.Id, actor.UserId, now, requirements[i]));
        }

        foreach (var link in links)
        {
            var item = NewEvidenceItem(occurrence, actor, now, EvidenceKind.Link);
            item.Title = Shorten(link.Url);
            item.Url = link.Url;
            items.Add(item);
        }

        added.AddRange(links.Select((l, i) => OccurrenceEvidence.For(items[newFiles.Count + i], occurrence.Id, actor.UserId, now, l.Requirement)));

        AssignRequirements(activity.EvidenceRequired, occurrence.Evidence, added);
        db.EvidenceItems.AddRange(items);
        db.OccurrenceEvidence.AddRange(added);
        occurrence.State = OccurrenceState.Completed;
        occurrence.CompletedAt = now;
        occurrence.CompletedByUserId = actor.UserId;
        occurrence.Notes = cleanNotes ?? occurrence.Notes;
        occurrence.Sequence++;
        occurrence.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return occurrence;
    }

    /// <summary>Skips an open occurrence with a reason; the manager or admin doing it is recorded as approver.</summary>
    public async Task<Occurrence> SkipAsync(Guid organisationId, Guid id, OccurrenceActor actor, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var occurrence = await GetAsync(organisationId, id, ct);
        if (actor.Role < OrgRole.Manager)
        {
            throw UseCaseException.Forbidden("Only an ISMS manager or admin can approve skipping an occurrence.");
        }

        if (occurrence.State != OccurrenceState.Open)
        {
            throw UseCaseException.Conflict("state", $"This occurrence is already {(occurrence.State == OccurrenceState.Completed ? "completed" : "skipped")}.");
        }

        var clean = (reason ?? "").Trim();
        if (clean.Length == 0)
        {
            throw UseCaseException.Invalid("reason", "Say why this occurrence is skipped.");
        }

        if (clean.Length > Occurrence.ReasonMaxLength)
        {
            throw UseCaseException.Invalid("reason", $"The reason is longer than {Occurrence.ReasonMaxLength} characters.");
        }

        var now = time.GetUtcNow();
        occurrence.State = OccurrenceState.Skipped;
        occurrence.SkipReason = clean;
        occurrence.SkipApprovedByUserId = actor.UserId;
        occurrence.CompletedAt = now;
        occurrence.Sequence++;
        occurrence.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return occurrence;
    }

    /// <summary>Moves one open occurrence to another local date-time; it keeps its identity and later schedule edits leave it alone.</summary>
    public async Task<Occurrence> RescheduleAsync(Guid organisationId, Guid id, OccurrenceActor actor, DateTime due, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var occurrence = await GetAsync(organisationId, id, ct);
        var activity = occurrence.Activity!;
        CheckCanAct(activity, actor, "move");
        if (occurrence.State != OccurrenceState.Open)
        {
            throw UseCaseException.Conflict("state", "Only open occurrences can be moved.");
        }

        if (due.Year is < 2000 or > 2100)
        {
            throw UseCaseException.Invalid("due", "The due date must be between the years 2000 and 2100.");
        }

        var resolved = ActivitySchedule.ResolveWallClock(due, activity.TimeZone);
        var local = resolved.Local;
        occurrence.DueDate = DateOnly.FromDateTime(local);
        occurrence.DueTime = TimeOnly.FromDateTime(local);
        occurrence.DueAt = resolved.Utc;
        occurrence.Rescheduled = true;
        occurrence.Sequence++;
        occurrence.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return occurrence;
    }

    /// <summary>Opens a stored evidence file of an occurrence in this organisation.</summary>
    public async Task<(OccurrenceEvidence Evidence, Stream Content)> OpenEvidenceAsync(Guid organisationId, Guid evidenceId, CancellationToken ct)
    {
        var evidence = await db.OccurrenceEvidence.AsNoTracking()
            .FirstOrDefaultAsync(e => e.OrganisationId == organisationId && e.Id == evidenceId && e.Kind == OccurrenceEvidenceKind.File, ct)
            ?? throw UseCaseException.NotFound("No such evidence file in this organisation.");
        var content = await files.OpenReadAsync(evidence.Sha256!, ct) ?? throw UseCaseException.NotFound("The evidence file's content is missing from the store.");
        return (evidence, content);
    }

    /// <summary>Requirements not covered by <paramref name="given"/> (named items first, then unnamed ones in order).</summary>
    public static IReadOnlyList<string> MissingEvidence(IReadOnlyList<string> required, IReadOnlyList<string?> given)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(given);
        var open = required.Where(r => !given.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
        var unnamed = given.Count(g => g is null);
        return [.. open.Skip(unnamed)];
    }

    private static void AssignRequirements(IReadOnlyList<string> required, IReadOnlyList<OccurrenceEvidence> existing, List<OccurrenceEvidence> added)
    {
        var open = new Queue<string>(required.Where(r =>
            !existing.Any(e => string.Equals(e.Requirement, r, StringComparison.OrdinalIgnoreCase))
            && !added.Any(e => string.Equals(e.Requirement, r, StringComparison.OrdinalIgnoreCase))));
        foreach (var item in added.Where(e => e.Requirement is null))
        {
            if (open.Count == 0)
            {
                break;
            }

            item.Requirement = open.Dequeue();
        }
    }

    private static string? CleanRequirement(string? requirement, Activity activity)
    {
        if (string.IsNullOrWhiteSpace(requirement))
        {
            return null;
        }

        return activity.EvidenceRequired.FirstOrDefault(r => string.Equals(r, requirement.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw UseCaseException.Invalid("evidence", $"'{Shorten(requirement.Trim())}' is not evidence {activity.Reference} asks for. Expected: {string.Join("; ", activity.EvidenceRequired)}.");
    }

    private static void CheckCanAct(Activity activity, OccurrenceActor actor, string verb)
    {
        if (actor.Role >= OrgRole.Manager || activity.OwnerUserId == actor.UserId || activity.DeputyUserId == actor.UserId)
        {
            if (actor.Role >= OrgRole.Contributor)
            {
                return;
            }
        }

        throw UseCaseException.Forbidden($"Only the owner or deputy of {activity.Reference}, or an ISMS manager, can {verb} its occurrences.");
    }

    /// <summary>The evidence item a completion leaves: it covers the day the work was done, and is linked to the occurrence and its activity.</summary>
    private static EvidenceItem NewEvidenceItem(Occurrence occurrence, OccurrenceActor actor, DateTimeOffset now, EvidenceKind kind)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return EvidenceItem.New(occurrence.OrganisationId, kind, today, today, now, now, new EvidenceOrigin(EvidenceSource.Occurrence, actor.UserId))
            .LinkTo(activityId: occurrence.ActivityId, occurrenceId: occurrence.Id);
    }

    /// <summary>Keeps the last path segment, drops control and path characters, and bounds the length.</summary>
    public static string SafeFileName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var clean = new string([.. last.Where(c => !char.IsControl(c) && c is not ('"' or '<' or '>' or '|' or ':' or '*' or '?'))]).Trim().TrimStart('.');
        if (clean.Length == 0)
        {
            clean = "evidence";
        }

        return clean.Length > OccurrenceEvidence.FileNameMaxLength ? clean[^OccurrenceEvidence.FileNameMaxLength..] : clean;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static IQueryable<OccurrenceProjection> Project(IQueryable<Occurrence> occurrences) =>
        occurrences.Select(o => new OccurrenceProjection(
            o.Id, o.ActivityId, o.Activity!.Reference, o.Activity.Title,
            o.Activity.OwnerUserId, o.Activity.Owner!.DisplayName, o.Activity.Owner.Email,
            o.Activity.DeputyUserId, o.Activity.Deputy!.DisplayName,
            o.DueDate, o.DueTime, o.DueAt, o.Activity.TimeZone, o.Activity.ReminderLeadDays,
            o.State, o.CompletedAt, o.Evidence.Count, o.NonconformityId, o.ExternalAuditId, o.Sequence, o.UpdatedAt));

    private sealed record OccurrenceProjection(
        Guid Id, Guid ActivityId, string Reference, string Title,
        Guid OwnerUserId, string OwnerName, string? OwnerEmail, Guid? DeputyUserId, string? DeputyName,
        DateOnly DueDate, TimeOnly DueTime, DateTimeOffset DueAt, string TimeZone, List<int> LeadDays,
        OccurrenceState State, DateTimeOffset? CompletedAt, int EvidenceCount, Guid? NonconformityId, Guid? ExternalAuditId, int Sequence, DateTimeOffset UpdatedAt)
    {
        public OccurrenceRow ToRow(DateTimeOffset now) => new(
            Id, ActivityId, Reference, Title, OwnerUserId, OwnerName, OwnerEmail, DeputyUserId, DeputyName,
            DueDate.ToDateTime(DueTime, DateTimeKind.Unspecified), DueAt, TimeZone, State,
            StatusOf(State, DueDate, CompletedAt, TimeZone, LeadDays, now),
            CompletedAt, EvidenceCount, NonconformityId, ExternalAuditId, Sequence, UpdatedAt);
    }
}
