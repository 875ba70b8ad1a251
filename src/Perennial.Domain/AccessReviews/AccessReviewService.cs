using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.AccessReviews;

/// <summary>How a decision arrives: keep, revoke or change (change needs a note; it may name the access to remove).</summary>
public sealed record AccessDecisionInput(AccessDecision Decision, string? Note, IReadOnlyList<string>? AccessToRemove);

/// <summary>What applying a later snapshot did: actions confirmed and actions for the same system still open.</summary>
public sealed record SnapshotApplied(string System, int Confirmed, int StillOpen);

/// <summary>A review with its progress, for lists.</summary>
public sealed record AccessReviewSummary(AccessReview Review, string ActivityReference, string ActivityTitle, DateOnly Due, int Accounts, int Decided);

/// <summary>
/// Access reviews: started for an access-review occurrence from an accounts snapshot (collected, or an
/// uploaded CSV), decided account by account, signed off into an evidence item of the occurrence, with
/// every revoke or change tracked until a later snapshot of the same system shows it done.
/// </summary>
public sealed class AccessReviewService(PerennialDbContext db, TimeProvider time, EvidenceService evidence)
{
    /// <summary>Days from sign-off to an action's due date unless the sign-off names one.</summary>
    public const int DefaultActionDays = 14;

    /// <summary>Templates whose occurrences are access reviews; other activities count when their title says so.</summary>
    public static readonly IReadOnlyList<string> TemplateKeys = ["user-access-review", "privileged-access-review"];

    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Open occurrences of access-review activities, soonest due first, for the start form.</summary>
    public async Task<IReadOnlyList<Occurrence>> OpenOccurrencesAsync(Guid organisationId, CancellationToken ct)
    {
        var keys = TemplateKeys.ToList();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
        return await db.Occurrences.AsNoTracking().Include(o => o.Activity)
            .Where(o => o.OrganisationId == organisationId && o.State == OccurrenceState.Open && o.Activity!.State == ActivityState.Active
                && ((o.Activity.TemplateKey != null && keys.Contains(o.Activity.TemplateKey)) || o.Activity.Title.ToLower().Contains("access review")))
            .OrderBy(o => o.DueAt).Take(50).ToListAsync(ct);
#pragma warning restore CA1862
    }

    /// <summary>Account snapshots of the organisation, latest first, for the start form.</summary>
    public async Task<IReadOnlyList<EvidenceItem>> SnapshotsAsync(Guid organisationId, CancellationToken ct) =>
        await db.EvidenceItems.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.Kind == EvidenceKind.Snapshot && e.SupersededById == null
                && (e.ContentType == AccountSnapshot.ContentType || e.ContentType == AccountsCsv.ContentType))
            .OrderByDescending(e => e.CollectedAt).Take(50).ToListAsync(ct);

    /// <summary>Starts a review from an account snapshot already stored as evidence in the organisation.</summary>
    public async Task<AccessReview> StartFromSnapshotAsync(Guid organisationId, Guid occurrenceId, Guid snapshotEvidenceId, OccurrenceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var occurrence = await CheckOccurrenceAsync(organisationId, occurrenceId, actor, ct);
        var (item, snapshot) = await ReadSnapshotAsync(organisationId, snapshotEvidenceId, "snapshotEvidenceId", ct);
        if (string.IsNullOrWhiteSpace(snapshot.System))
        {
            throw UseCaseException.Invalid("snapshotEvidenceId", "The snapshot does not name its system.");
        }

        if (await db.AccessReviews.AnyAsync(r => r.OccurrenceId == occurrenceId && r.SnapshotEvidenceItemId == item.Id, ct))
        {
            throw UseCaseException.Conflict("snapshotEvidenceId", "This occurrence already has a review of this snapshot.");
        }

        var review = NewReview(organisationId, occurrence, snapshot.System.Trim(), item.Id, snapshot.TakenAt, actor);
        AddEntries(review, snapshot.Accounts, "snapshotEvidenceId");
        db.AccessReviews.Add(review);
        await db.SaveChangesAsync(ct);
        return review;
    }

    /// <summary>
    /// Starts a review from an uploaded CSV: the file is checked first (nothing is stored from a bad file),
    /// then kept as a snapshot evidence item of the occurrence, then turned into the review's entries.
    /// </summary>
    public async Task<AccessReview> StartFromCsvAsync(
        Guid organisationId, Guid occurrenceId, string? system, IncomingContent csv, EvidenceOrigin origin, OccurrenceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(actor);
        var occurrence = await CheckOccurrenceAsync(organisationId, occurrenceId, actor, ct);
        system = CheckSystem(system);
        var bytes = await ReadLimitedAsync(csv.Content, evidence.MaxUploadBytes, "file", ct);
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw UseCaseException.Invalid("file", "The CSV is not UTF-8 text.");
        }

        var accounts = AccountsCsv.Parse(text);
        var now = time.GetUtcNow();
        using var content = new MemoryStream(bytes, writable: false);
        var recorded = await evidence.AddAsync(organisationId, new EvidenceInput
        {
            Kind = EvidenceKind.Snapshot,
            Title = $"Accounts of {system} ({accounts.Count}, uploaded CSV)",
            OccurrenceId = occurrence.Id,
            CollectedAt = now,
        }, new IncomingContent(content, string.IsNullOrWhiteSpace(csv.FileName) ? "accounts.csv" : csv.FileName, AccountsCsv.ContentType), origin, ct);

        var review = NewReview(organisationId, occurrence, system, recorded.Item.Id, recorded.Item.CollectedAt, actor);
        AddEntries(review, accounts, "file");
        db.AccessReviews.Add(review);
        await db.SaveChangesAsync(ct);
        return review;
    }

    public async Task<AccessReview> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.AccessReviews.AsNoTracking()
            .Include(r => r.Occurrence).ThenInclude(o => o!.Activity).ThenInclude(a => a!.Owner)
            .Include(r => r.Reviewer).Include(r => r.SignedOffBy)
            .SingleOrDefaultAsync(r => r.Id == id && r.OrganisationId == organisationId, ct)
        ?? throw UseCaseException.NotFound("No such access review.");

    public async Task<Paged<AccessReviewSummary>> ListAsync(Guid organisationId, AccessReviewState? state, Guid? occurrenceId, PageRequest page, CancellationToken ct)
    {
        var reviews = db.AccessReviews.AsNoTracking().Where(r => r.OrganisationId == organisationId);
        if (state is { } s)
        {
            reviews = reviews.Where(r => r.State == s);
        }

        if (occurrenceId is { } oid)
        {
            reviews = reviews.Where(r => r.OccurrenceId == oid);
        }

        var rows = await reviews.OrderByDescending(r => r.CreatedAt)
            .Include(r => r.Occurrence).ThenInclude(o => o!.Activity)
            .Include(r => r.Reviewer).Include(r => r.SignedOffBy)
            .ToPagedAsync(page, ct);
        var ids = rows.Items.Select(r => r.Id).ToList();
        var counts = await db.AccessReviewEntries.Where(e => ids.Contains(e.AccessReviewId))
            .GroupBy(e => e.AccessReviewId)
            .Select(g => new { Id = g.Key, All = g.Count(), Decided = g.Count(e => e.Decision != AccessDecision.Pending) })
            .ToDictionaryAsync(x => x.Id, ct);
        return new Paged<AccessReviewSummary>(
            [.. rows.Items.Select(r => new AccessReviewSummary(r, r.Occurrence!.Activity!.Reference, r.Occurrence.Activity.Title, r.Occurrence.DueDate,
                counts.TryGetValue(r.Id, out var c) ? c.All : 0, counts.TryGetValue(r.Id, out var d) ? d.Decided : 0))],
            rows.Page, rows.PageSize, rows.Total);
    }

    /// <summary>A review's accounts in snapshot order; optionally only the undecided ones, or those matching a search.</summary>
    public async Task<Paged<AccessReviewEntry>> EntriesAsync(Guid organisationId, Guid reviewId, bool undecidedOnly, string? search, PageRequest page, CancellationToken ct)
    {
        if (!await db.AccessReviews.AnyAsync(r => r.Id == reviewId && r.OrganisationId == organisationId, ct))
        {
            throw UseCaseException.NotFound("No such access review.");
        }

        var entries = db.AccessReviewEntries.AsNoTracking().Where(e => e.AccessReviewId == reviewId);
        if (undecidedOnly)
        {
            entries = entries.Where(e => e.Decision == AccessDecision.Pending);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var text = search.Trim().ToLower();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            entries = entries.Where(e => e.AccountId.ToLower().Contains(text) || (e.Name != null && e.Name.ToLower().Contains(text)) || (e.Email != null && e.Email.ToLower().Contains(text)));
#pragma warning restore CA1862
        }

        return await entries.OrderBy(e => e.Position).Include(e => e.DecidedBy).ToPagedAsync(page, ct);
    }

    public async Task<AccessReviewEntry> GetEntryAsync(Guid reviewId, Guid entryId, CancellationToken ct) =>
        await db.AccessReviewEntries.AsNoTracking().Include(e => e.DecidedBy).SingleOrDefaultAsync(e => e.Id == entryId && e.AccessReviewId == reviewId, ct)
        ?? throw UseCaseException.NotFound("No such account in this review.");

    /// <summary>How many of a review's accounts are decided, and how many there are.</summary>
    public async Task<(int Decided, int Total)> ProgressAsync(Guid reviewId, CancellationToken ct)
    {
        var counts = await db.AccessReviewEntries.Where(e => e.AccessReviewId == reviewId)
            .GroupBy(e => e.Decision).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return (counts.Where(c => c.Key != AccessDecision.Pending).Sum(c => c.Count), counts.Sum(c => c.Count));
    }

    /// <summary>The follow-up actions of one review, or open ones across reviews.</summary>
    public async Task<Paged<AccessReviewAction>> ActionsAsync(Guid organisationId, Guid? reviewId, AccessActionState? state, PageRequest page, CancellationToken ct)
    {
        var actions = db.AccessReviewActions.AsNoTracking().Where(a => a.OrganisationId == organisationId);
        if (reviewId is { } rid)
        {
            actions = actions.Where(a => a.AccessReviewId == rid);
        }

        if (state is { } s)
        {
            actions = actions.Where(a => a.State == s);
        }

        return await actions.OrderBy(a => a.State).ThenBy(a => a.DueDate).ThenBy(a => a.Entry!.Position)
            .Include(a => a.Entry).Include(a => a.Review).Include(a => a.Assignee)
            .ToPagedAsync(page, ct);
    }

    /// <summary>Records the decision on one account. The reviewer, the activity's owner or deputy, or a manager may decide.</summary>
    public async Task<AccessReviewEntry> DecideAsync(Guid organisationId, Guid reviewId, Guid entryId, AccessDecisionInput input, OccurrenceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(actor);
        var review = await LoadForChangeAsync(organisationId, reviewId, ct);
        CheckCanDecide(review, actor);
        var entry = await db.AccessReviewEntries.SingleOrDefaultAsync(e => e.Id == entryId && e.AccessReviewId == reviewId, ct)
            ?? throw UseCaseException.NotFound("No such account in this review.");
        var note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        if (note is { Length: > AccessReview.NoteMaxLength })
        {
            throw UseCaseException.Invalid("note", $"note is longer than {AccessReview.NoteMaxLength} characters.");
        }

        var remove = (input.AccessToRemove ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList();
        switch (input.Decision)
        {
            case AccessDecision.Pending:
                throw UseCaseException.Invalid("decision", "decision must be keep, revoke or change.");
            case AccessDecision.Change when note is null:
                throw UseCaseException.Invalid("note", "A change needs a note saying what is to change.");
            case AccessDecision.Change:
                var unknown = remove.FirstOrDefault(a => !entry.Access.Contains(a, StringComparer.Ordinal));
                if (unknown is not null)
                {
                    throw UseCaseException.Invalid("accessToRemove", $"The account does not hold '{unknown}'; it holds {(entry.Access.Count == 0 ? "nothing" : string.Join(", ", entry.Access))}.");
                }

                break;
            default:
                remove = [];
                break;
        }

        entry.Decision = input.Decision;
        entry.Note = note;
        entry.AccessToRemove = remove;
        entry.DecidedByUserId = actor.UserId;
        entry.DecidedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>Keeps every undecided account (optionally only those holding <paramref name="access"/>); returns how many.</summary>
    public async Task<int> KeepUndecidedAsync(Guid organisationId, Guid reviewId, string? access, OccurrenceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var review = await LoadForChangeAsync(organisationId, reviewId, ct);
        CheckCanDecide(review, actor);
        var pending = await db.AccessReviewEntries.Where(e => e.AccessReviewId == reviewId && e.Decision == AccessDecision.Pending).ToListAsync(ct);
        var group = string.IsNullOrWhiteSpace(access) ? null : access.Trim();
        var now = time.GetUtcNow();
        var count = 0;
        foreach (var entry in pending.Where(e => group is null || e.Access.Contains(group, StringComparer.Ordinal)))
        {
            entry.Decision = AccessDecision.Keep;
            entry.DecidedByUserId = actor.UserId;
            entry.DecidedAt = now;
            count++;
        }

        await db.SaveChangesAsync(ct);
        return count;
    }

    /// <summary>
    /// Signs the review off once every account is decided: opens an action for each revoke and change and
    /// stores the signed-off record (who decided what, when) as evidence of the occurrence. The occurrence
    /// itself stays open: completing it is its owner's act. Calling it again on a signed-off review whose
    /// record could not be stored stores the record.
    /// </summary>
    public async Task<AccessReview> SignOffAsync(Guid organisationId, Guid reviewId, string? note, DateOnly? actionsDue, OccurrenceActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var review = await db.AccessReviews.Include(r => r.Occurrence).ThenInclude(o => o!.Activity)
            .SingleOrDefaultAsync(r => r.Id == reviewId && r.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such access review.");
        var activity = review.Occurrence!.Activity!;
        if (actor.Role < OrgRole.Manager && activity.OwnerUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the owner of {activity.Reference} or an ISMS manager can sign off its access reviews.");
        }

        if (review.State == AccessReviewState.SignedOff)
        {
            if (review.RecordEvidenceItemId is not null)
            {
                throw UseCaseException.Conflict("state", $"The review was already signed off on {review.SignedOffAt:yyyy-MM-dd}.");
            }
        }
        else
        {
            note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
            if (note is { Length: > AccessReview.NoteMaxLength })
            {
                throw UseCaseException.Invalid("note", $"note is longer than {AccessReview.NoteMaxLength} characters.");
            }

            // Whole microseconds, as PostgreSQL stores them: the record written now and on a retry must match.
            var clock = time.GetUtcNow();
            var now = new DateTimeOffset(clock.UtcTicks - (clock.UtcTicks % 10), TimeSpan.Zero);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (actionsDue is { } due && due < today)
            {
                throw UseCaseException.Invalid("actionsDue", $"actionsDue ({due:yyyy-MM-dd}) is in the past.");
            }

            var pending = await db.AccessReviewEntries.CountAsync(e => e.AccessReviewId == reviewId && e.Decision == AccessDecision.Pending, ct);
            if (pending > 0)
            {
                throw UseCaseException.Conflict("entries", $"{pending} account{(pending == 1 ? " is" : "s are")} still undecided; decide every account before signing off.");
            }

            review.State = AccessReviewState.SignedOff;
            review.SignedOffByUserId = actor.UserId;
            review.SignedOffAt = now;
            review.SignOffNote = note;
            var followUps = await db.AccessReviewEntries.AsNoTracking()
                .Where(e => e.AccessReviewId == reviewId && (e.Decision == AccessDecision.Revoke || e.Decision == AccessDecision.Change))
                .Select(e => new { e.Id, e.Decision }).ToListAsync(ct);
            foreach (var entry in followUps)
            {
                db.AccessReviewActions.Add(new AccessReviewAction
                {
                    Id = Guid.CreateVersion7(now),
                    OrganisationId = organisationId,
                    AccessReviewId = reviewId,
                    EntryId = entry.Id,
                    Kind = entry.Decision == AccessDecision.Revoke ? AccessActionKind.Revoke : AccessActionKind.Change,
                    AssigneeUserId = activity.OwnerUserId,
                    DueDate = actionsDue ?? today.AddDays(DefaultActionDays),
                    CreatedAt = now,
                });
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                throw UseCaseException.Conflict("state", "The review was signed off by someone else at the same moment.");
            }
        }

        // The record is written from what is stored, so a retry produces the same bytes and the client key finds them.
        var record = await BuildRecordAsync(review, ct);
        using var content = new MemoryStream(record, writable: false);
        var recorded = await evidence.AddAsync(organisationId, new EvidenceInput
        {
            Kind = EvidenceKind.File,
            Title = $"Access review of {review.System}, signed off {review.SignedOffAt:yyyy-MM-dd}",
            Description = review.SignOffNote,
            OccurrenceId = review.OccurrenceId,
            PeriodFrom = DateOnly.FromDateTime(review.SnapshotTakenAt.UtcDateTime),
            PeriodTo = DateOnly.FromDateTime(review.SignedOffAt!.Value.UtcDateTime),
            CollectedAt = review.SignedOffAt,
            ClientKey = $"access-review:{review.Id}",
        }, new IncomingContent(content, $"access-review-{FileSafe(review.System)}-{review.SignedOffAt:yyyy-MM-dd}.json", "application/json"),
            new EvidenceOrigin(EvidenceSource.System, review.SignedOffByUserId), ct);

        // Re-read: recording may have cleared the change tracker after a client-key race.
        review = await db.AccessReviews.Include(r => r.Occurrence).ThenInclude(o => o!.Activity).SingleAsync(r => r.Id == reviewId, ct);
        review.RecordEvidenceItemId = recorded.Item.Id;
        // The record answers the activity's first required evidence item when nothing answers it yet.
        if (activity.EvidenceRequired.FirstOrDefault() is { } requirement)
        {
            var attached = await db.OccurrenceEvidence.Where(e => e.OccurrenceId == review.OccurrenceId).ToListAsync(ct);
            if (!attached.Any(e => string.Equals(e.Requirement, requirement, StringComparison.OrdinalIgnoreCase))
                && attached.FirstOrDefault(e => e.EvidenceItemId == recorded.Item.Id) is { Requirement: null } mine)
            {
                mine.Requirement = requirement;
            }
        }

        await db.SaveChangesAsync(ct);
        return review;
    }

    /// <summary>
    /// Confirms open revoke and change actions from a later snapshot of the same system: a revoke is done
    /// when the account is gone or disabled; a change when the account is gone, disabled, or no longer holds
    /// the access to remove (or, when none was named, holds different access than reviewed). Actions whose
    /// account still shows unchanged stay open. Collector runs call this after recording a snapshot.
    /// </summary>
    public async Task<SnapshotApplied> ApplySnapshotAsync(Guid organisationId, Guid snapshotItemId, CancellationToken ct, string? system = null)
    {
        var (item, snapshot) = await ReadSnapshotAsync(organisationId, snapshotItemId, "evidenceId", ct, system);
        var name = snapshot.System.Trim();
        var candidates = await db.AccessReviewActions.Include(a => a.Entry).Include(a => a.Review)
            .Where(a => a.OrganisationId == organisationId && a.State == AccessActionState.Open
                && a.Review!.SnapshotEvidenceItemId != item.Id && a.Review.SnapshotTakenAt < snapshot.TakenAt)
            .ToListAsync(ct);
        var open = candidates.Where(a => string.Equals(a.Review!.System, name, StringComparison.OrdinalIgnoreCase)).ToList();
        var accounts = new Dictionary<string, SnapshotAccount>(StringComparer.OrdinalIgnoreCase);
        foreach (var account in snapshot.Accounts)
        {
            accounts.TryAdd(account.Id.Trim(), account);
        }

        var now = time.GetUtcNow();
        var confirmed = 0;
        foreach (var action in open)
        {
            var entry = action.Entry!;
            var done = !accounts.TryGetValue(entry.AccountId, out var current) || current.Disabled
                || (action.Kind == AccessActionKind.Change && (entry.AccessToRemove.Count > 0
                    ? !entry.AccessToRemove.Any(a => current.Access.Contains(a, StringComparer.Ordinal))
                    : !current.Access.ToHashSet(StringComparer.Ordinal).SetEquals(entry.Access)));
            if (done)
            {
                action.State = AccessActionState.Confirmed;
                action.ConfirmedAt = now;
                action.ConfirmingSnapshotEvidenceItemId = item.Id;
                confirmed++;
            }
        }

        await db.SaveChangesAsync(ct);
        return new SnapshotApplied(name, confirmed, open.Count - confirmed);
    }

    /// <summary>Reads the review's accounts from a snapshot item: the JSON account snapshot, or a CSV kept as a snapshot.</summary>
    private async Task<(EvidenceItem Item, AccountSnapshot Snapshot)> ReadSnapshotAsync(Guid organisationId, Guid id, string field, CancellationToken ct, string? system = null)
    {
        EvidenceItem item;
        Stream content;
        try
        {
            (item, content) = await evidence.OpenContentAsync(organisationId, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            throw UseCaseException.Invalid(field, $"No account snapshot with id {id} in this organisation: {e.Message}");
        }

        byte[] bytes;
        await using (content)
        {
            bytes = await ReadLimitedAsync(content, evidence.MaxUploadBytes, field, ct);
        }

        if (AccountSnapshot.TryParse(bytes) is { } snapshot)
        {
            if (system is not null && !string.Equals(system.Trim(), snapshot.System?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                throw UseCaseException.Invalid("system", $"The snapshot is of '{snapshot.System}', not '{system}'.");
            }

            return (item, snapshot with { System = snapshot.System ?? "" });
        }

        if (item.ContentType?.StartsWith(AccountsCsv.ContentType, StringComparison.OrdinalIgnoreCase) == true)
        {
            if (string.IsNullOrWhiteSpace(system))
            {
                throw UseCaseException.Invalid("system", "The snapshot is a CSV, which does not name its system: give the system.");
            }

            var accounts = AccountsCsv.Parse(Encoding.UTF8.GetString(bytes), field);
            return (item, new AccountSnapshot("csv", CheckSystem(system), item.CollectedAt, accounts));
        }

        throw UseCaseException.Invalid(field, $"Evidence item {id} is not an account snapshot ({AccountSnapshot.ContentType} JSON with system and accounts).");
    }

    private async Task<Occurrence> CheckOccurrenceAsync(Guid organisationId, Guid occurrenceId, OccurrenceActor actor, CancellationToken ct)
    {
        var occurrence = await db.Occurrences.AsNoTracking().Include(o => o.Activity)
            .SingleOrDefaultAsync(o => o.Id == occurrenceId && o.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.Invalid("occurrenceId", "No such occurrence in this organisation.");
        var activity = occurrence.Activity!;
        if (!IsAccessReview(activity))
        {
            throw UseCaseException.Invalid("occurrenceId", $"{activity.Reference} {activity.Title} is not an access-review activity.");
        }

        if (occurrence.State != OccurrenceState.Open)
        {
            throw UseCaseException.Invalid("occurrenceId", $"The occurrence due {occurrence.DueDate:yyyy-MM-dd} is already {occurrence.State.ToString().ToLowerInvariant()}.");
        }

        if (actor.Role < OrgRole.Manager && activity.OwnerUserId != actor.UserId && activity.DeputyUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the owner or deputy of {activity.Reference}, or an ISMS manager, can start its access reviews.");
        }

        return occurrence;
    }

    public static bool IsAccessReview(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return (activity.TemplateKey is { } key && TemplateKeys.Contains(key))
            || activity.Title.Contains("access review", StringComparison.OrdinalIgnoreCase);
    }

    private AccessReview NewReview(Guid organisationId, Occurrence occurrence, string system, Guid snapshotId, DateTimeOffset takenAt, OccurrenceActor actor)
    {
        var now = time.GetUtcNow();
        return new AccessReview
        {
            Id = Guid.CreateVersion7(now),
            OrganisationId = organisationId,
            OccurrenceId = occurrence.Id,
            System = system,
            SnapshotEvidenceItemId = snapshotId,
            SnapshotTakenAt = new DateTimeOffset(takenAt.UtcTicks - (takenAt.UtcTicks % 10), TimeSpan.Zero),
            ReviewerUserId = occurrence.Activity!.OwnerUserId,
            CreatedByUserId = actor.UserId,
            CreatedAt = now,
        };
    }

    private static void AddEntries(AccessReview review, IReadOnlyList<SnapshotAccount> accounts, string field)
    {
        if (accounts.Count == 0)
        {
            throw UseCaseException.Invalid(field, "The snapshot has no accounts to review.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (account, index) in accounts.Select((a, i) => (a, i)))
        {
            var id = account.Id?.Trim();
            if (string.IsNullOrEmpty(id) || id.Length > AccessReviewEntry.AccountIdMaxLength)
            {
                throw UseCaseException.Invalid(field, $"Account {index + 1} of the snapshot has {(string.IsNullOrEmpty(id) ? "no id" : "an id longer than " + AccessReviewEntry.AccountIdMaxLength + " characters")}.");
            }

            if (!seen.Add(id))
            {
                throw UseCaseException.Invalid(field, $"Account {index + 1} of the snapshot ('{id}') appears twice.");
            }

            review.Entries.Add(new AccessReviewEntry
            {
                Id = Guid.CreateVersion7(review.CreatedAt),
                AccessReviewId = review.Id,
                Position = index,
                AccountId = id,
                Name = Clip(account.Name, AccessReviewEntry.NameMaxLength),
                Email = Clip(account.Email, AccessReviewEntry.EmailMaxLength),
                Disabled = account.Disabled,
                Access = [.. (account.Access ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal)],
            });
        }
    }

    private async Task<AccessReview> LoadForChangeAsync(Guid organisationId, Guid reviewId, CancellationToken ct)
    {
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Occurrence).ThenInclude(o => o!.Activity)
            .SingleOrDefaultAsync(r => r.Id == reviewId && r.OrganisationId == organisationId, ct)
            ?? throw UseCaseException.NotFound("No such access review.");
        if (review.State != AccessReviewState.Open)
        {
            throw UseCaseException.Conflict("state", "The review is signed off; its decisions can no longer change.");
        }

        return review;
    }

    private static void CheckCanDecide(AccessReview review, OccurrenceActor actor)
    {
        var activity = review.Occurrence!.Activity!;
        if (actor.Role >= OrgRole.Manager
            || (actor.Role >= OrgRole.Contributor && (review.ReviewerUserId == actor.UserId || activity.OwnerUserId == actor.UserId || activity.DeputyUserId == actor.UserId)))
        {
            return;
        }

        throw UseCaseException.Forbidden($"Only the reviewer, the owner or deputy of {activity.Reference}, or an ISMS manager, can decide on its accounts.");
    }

    private async Task<byte[]> BuildRecordAsync(AccessReview review, CancellationToken ct)
    {
        var entries = await db.AccessReviewEntries.AsNoTracking().Where(e => e.AccessReviewId == review.Id).OrderBy(e => e.Position).ToListAsync(ct);
        var userIds = entries.Select(e => e.DecidedByUserId).OfType<Guid>().Append(review.ReviewerUserId);
        if (review.SignedOffByUserId is { } signer)
        {
            userIds = userIds.Append(signer);
        }

        var ids = userIds.Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new RecordPerson(u.DisplayName, u.Email), ct);
        var snapshot = await db.EvidenceItems.AsNoTracking().Where(e => e.Id == review.SnapshotEvidenceItemId)
            .Select(e => new { e.Id, e.Title, e.Sha256, e.CollectedAt }).SingleAsync(ct);
        var occurrence = review.Occurrence!;
        var activity = occurrence.Activity!;
        RecordPerson? Person(Guid? id) => id is { } i && users.TryGetValue(i, out var p) ? p : null;
        var record = new SignedOffRecord(
            "perennial.access-review/1",
            review.Id,
            review.System,
            new RecordOccurrence(occurrence.Id, activity.Reference, activity.Title, occurrence.DueDate),
            new RecordSnapshot(snapshot.Id, snapshot.Title, snapshot.Sha256, review.SnapshotTakenAt),
            Person(review.ReviewerUserId),
            Person(review.SignedOffByUserId),
            review.SignedOffAt!.Value,
            review.SignOffNote,
            new RecordSummary(entries.Count,
                entries.Count(e => e.Decision == AccessDecision.Keep),
                entries.Count(e => e.Decision == AccessDecision.Revoke),
                entries.Count(e => e.Decision == AccessDecision.Change)),
            [.. entries.Select(e => new RecordAccount(
                e.AccountId, e.Name, e.Email, e.Disabled, e.Access, ToName(e.Decision), e.Note, e.AccessToRemove,
                Person(e.DecidedByUserId), e.DecidedAt))]);
        return JsonSerializer.SerializeToUtf8Bytes(record, RecordJson);
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream content, long limit, string field, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw UseCaseException.Invalid(field, $"The file is larger than the {limit / (1024 * 1024)} MB limit.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string CheckSystem(string? system)
    {
        var name = system?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw UseCaseException.Invalid("system", "Name the system the accounts come from (e.g. the directory or database).");
        }

        return name.Length > AccessReview.SystemMaxLength
            ? throw UseCaseException.Invalid("system", $"system is longer than {AccessReview.SystemMaxLength} characters.")
            : name;
    }

    private static string? Clip(string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var v && v.Length > max ? v[..max] : value.Trim();

    private static string FileSafe(string system)
    {
        var chars = system.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').Take(60).ToArray();
        return new string(chars).Trim('-', '.') is { Length: > 0 } s ? s : "system";
    }

    public static string ToName(AccessDecision decision) => decision switch
    {
        AccessDecision.Pending => "pending",
        AccessDecision.Keep => "keep",
        AccessDecision.Revoke => "revoke",
        AccessDecision.Change => "change",
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };

    public static bool TryParseDecision(string? text, out AccessDecision decision)
    {
        switch ((text ?? "").Trim().ToLowerInvariant())
        {
            case "keep": decision = AccessDecision.Keep; return true;
            case "revoke": decision = AccessDecision.Revoke; return true;
            case "change": decision = AccessDecision.Change; return true;
            default: decision = AccessDecision.Pending; return false;
        }
    }

    private sealed record SignedOffRecord(
        string Format, Guid Review, string System, RecordOccurrence Occurrence, RecordSnapshot Snapshot,
        RecordPerson? Reviewer, RecordPerson? SignedOffBy, DateTimeOffset SignedOffAt, string? SignOffNote,
        RecordSummary Summary, IReadOnlyList<RecordAccount> Accounts);

    private sealed record RecordOccurrence(Guid Id, string Activity, string Title, DateOnly Due);

    private sealed record RecordSnapshot(Guid EvidenceId, string Title, string? Sha256, DateTimeOffset TakenAt);

    private sealed record RecordPerson(string Name, string? Email);

    private sealed record RecordSummary(int Accounts, int Keep, int Revoke, int Change);

    private sealed record RecordAccount(
        string Account, string? Name, string? Email, bool Disabled, IReadOnlyList<string> Access,
        string Decision, string? Note, IReadOnlyList<string> AccessToRemove, RecordPerson? DecidedBy, DateTimeOffset? DecidedAt);
}
