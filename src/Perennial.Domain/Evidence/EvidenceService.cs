using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.AuditTrail;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence.Storage;
using Perennial.Paging;

namespace Perennial.Evidence;

/// <summary>What a caller says about a new evidence item; every field is optional except what the kind needs.</summary>
public sealed record EvidenceInput
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public EvidenceKind? Kind { get; init; }
    public DateOnly? PeriodFrom { get; init; }
    public DateOnly? PeriodTo { get; init; }
    public DateTimeOffset? CollectedAt { get; init; }
    public Guid? ActivityId { get; init; }
    public Guid? OccurrenceId { get; init; }
    public Guid? ControlId { get; init; }
    public Guid? FrameworkId { get; init; }
    public DateOnly? RetainUntil { get; init; }
    public string? ClientKey { get; init; }
    public Guid? Supersedes { get; init; }

    /// <summary>For links: the address.</summary>
    public string? Url { get; init; }

    /// <summary>For notes: the text (stored as UTF-8 content, hashed like a file).</summary>
    public string? Text { get; init; }

    /// <summary>A scanner-report format ("trivy", "sarif", "cyclonedx", "auto"): the content is also imported as findings.</summary>
    public string? Report { get; init; }
}

/// <summary>Who or what produced an item.</summary>
public sealed record EvidenceOrigin(EvidenceSource Source, Guid? UserId = null, Guid? TokenId = null, Guid? CollectorRunId = null);

/// <summary>Bytes offered as an item's content, with the name and type the sender gave.</summary>
public sealed record IncomingContent(Stream Content, string? FileName, string? ContentType);

/// <summary>Metadata checked against the organisation, ready to record once the content is stored.</summary>
public sealed record CheckedEvidence(
    EvidenceInput Input, EvidenceKind Kind, DateOnly PeriodFrom, DateOnly PeriodTo, DateTimeOffset CollectedAt,
    Guid? ActivityId, Guid? OccurrenceId, string? ClientKey, string? Url);

/// <summary>The result of recording: the item and whether it is new (false when a client key matched an earlier upload).</summary>
public sealed record EvidenceRecorded(EvidenceItem Item, bool Created);

/// <summary>Filters for evidence lists; every field narrows the result.</summary>
public sealed record EvidenceQuery(
    Guid? ActivityId = null,
    Guid? OccurrenceId = null,
    Guid? ControlId = null,
    Guid? FrameworkId = null,
    EvidenceKind? Kind = null,
    EvidenceStatus? Status = null,
    DateOnly? CoversFrom = null,
    DateOnly? CoversTo = null,
    string? Text = null,
    Guid? CollectorRunId = null);

/// <summary>
/// Records evidence: checks what it is for, stores its bytes content-addressed, and only then writes the
/// record, so no item ever points at content that is missing or partial.
/// </summary>
public sealed class EvidenceService(
    PerennialDbContext db, TimeProvider time, IEvidenceStore store, EvidenceOptions options, IEnumerable<IEvidenceReportImporter> importers,
    EvidenceRecordWriter writer, IAuditActorAccessor actor)
{
    /// <summary>How far into the future a period may end (time zones ahead of UTC).</summary>
    private const int FutureSlackDays = 1;

    public IEvidenceStore Store => store;

    public long MaxUploadBytes => options.MaxUploadBytes;

    /// <summary>Checks, stores and records in one call (content may be null for links).</summary>
    public async Task<EvidenceRecorded> AddAsync(Guid organisationId, EvidenceInput input, IncomingContent? content, EvidenceOrigin origin, CancellationToken ct)
    {
        var checkedInput = await CheckAsync(organisationId, input, content is not null, ct);
        StoredContent? stored = null;
        if (checkedInput.Kind == EvidenceKind.Note && content is null)
        {
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(input.Text ?? ""));
            stored = await StoreAsync(text, ct);
            content = new IncomingContent(Stream.Null, "note.txt", "text/plain; charset=utf-8");
        }
        else if (content is not null)
        {
            stored = await StoreAsync(content.Content, ct);
        }

        return await RecordAsync(organisationId, checkedInput, stored, content?.FileName, content?.ContentType, origin, ct);
    }

    /// <summary>Streams bytes into the store, turning an over-size body into a validation error on <c>file</c>.</summary>
    public async Task<StoredContent> StoreAsync(Stream content, CancellationToken ct)
    {
        try
        {
            return await store.PutAsync(content, options.MaxUploadBytes, ct);
        }
        catch (ContentTooLargeException e)
        {
            throw UseCaseException.Invalid("file", e.Message);
        }
    }

    /// <summary>Validates metadata against the organisation before any content is accepted.</summary>
    public async Task<CheckedEvidence> CheckAsync(Guid organisationId, EvidenceInput input, bool hasContent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        var kind = input.Kind ?? (hasContent ? EvidenceKind.File : input.Url is not null ? EvidenceKind.Link : input.Text is not null ? EvidenceKind.Note : EvidenceKind.File);
        string? url = null;
        switch (kind)
        {
            case EvidenceKind.File or EvidenceKind.Snapshot when !hasContent:
                throw UseCaseException.Invalid("file", $"A {kind.ToName()} needs its content: send it as the multipart part named 'file'.");
            case EvidenceKind.Link:
                if (hasContent)
                {
                    throw UseCaseException.Invalid("file", "A link has no content; leave out the 'file' part or use kind 'file'.");
                }

                url = (input.Url ?? "").Trim();
                if (url.Length == 0 || url.Length > EvidenceItem.UrlMaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    throw UseCaseException.Invalid("url", $"url must be an http(s) address of at most {EvidenceItem.UrlMaxLength} characters.");
                }

                break;
            case EvidenceKind.Note when !hasContent && string.IsNullOrWhiteSpace(input.Text):
                throw UseCaseException.Invalid("text", "A note needs its text.");
        }

        if (input.Title is { Length: > EvidenceItem.TitleMaxLength })
        {
            throw UseCaseException.Invalid("title", $"title is longer than {EvidenceItem.TitleMaxLength} characters.");
        }

        if (input.Description is { Length: > EvidenceItem.DescriptionMaxLength })
        {
            throw UseCaseException.Invalid("description", $"description is longer than {EvidenceItem.DescriptionMaxLength} characters.");
        }

        if (input.Report is not null)
        {
            if (!hasContent)
            {
                throw UseCaseException.Invalid("report", "A report needs its content: send the report file as the 'file' part.");
            }

            _ = ImporterFor(input.Report);
        }

        var clientKey = string.IsNullOrWhiteSpace(input.ClientKey) ? null : input.ClientKey.Trim();
        if (clientKey is { Length: > EvidenceItem.ClientKeyMaxLength })
        {
            throw UseCaseException.Invalid("clientKey", $"clientKey is longer than {EvidenceItem.ClientKeyMaxLength} characters.");
        }

        var collectedAt = input.CollectedAt ?? now;
        if (collectedAt > now.AddMinutes(5))
        {
            throw UseCaseException.Invalid("collectedAt", "collectedAt is in the future.");
        }

        var collectedOn = DateOnly.FromDateTime(collectedAt.UtcDateTime);
        var periodTo = input.PeriodTo ?? (kind == EvidenceKind.Snapshot ? collectedOn : input.PeriodFrom ?? collectedOn);
        var periodFrom = input.PeriodFrom ?? periodTo;
        if (periodFrom > periodTo)
        {
            throw UseCaseException.Invalid("periodFrom", $"periodFrom ({periodFrom:yyyy-MM-dd}) is after periodTo ({periodTo:yyyy-MM-dd}).");
        }

        if (periodTo > today.AddDays(FutureSlackDays))
        {
            throw UseCaseException.Invalid("periodTo", $"periodTo ({periodTo:yyyy-MM-dd}) is in the future: evidence covers time that has passed.");
        }

        if (input.RetainUntil is { } retain && retain < periodTo)
        {
            throw UseCaseException.Invalid("retainUntil", "retainUntil is before the end of the period the evidence covers.");
        }

        var activityId = input.ActivityId;
        var occurrenceId = input.OccurrenceId;
        if (occurrenceId is { } oid)
        {
            var occurrence = await db.Occurrences.AsNoTracking().Where(o => o.Id == oid && o.OrganisationId == organisationId)
                .Select(o => new { o.ActivityId }).SingleOrDefaultAsync(ct)
                ?? throw UseCaseException.Invalid("occurrenceId", "No such occurrence in this organisation.");
            if (activityId is { } aid && aid != occurrence.ActivityId)
            {
                throw UseCaseException.Invalid("occurrenceId", "The occurrence belongs to a different activity than activityId.");
            }

            activityId = occurrence.ActivityId;
        }
        else if (activityId is { } aid)
        {
            if (!await db.Activities.AnyAsync(a => a.Id == aid && a.OrganisationId == organisationId, ct))
            {
                throw UseCaseException.Invalid("activityId", "No such activity in this organisation.");
            }

            occurrenceId = await CurrentOccurrenceAsync(aid, ct);
        }

        if (input.ControlId is { } cid && !await db.Controls.AnyAsync(c => c.Id == cid && c.OrganisationId == organisationId, ct))
        {
            throw UseCaseException.Invalid("controlId", "No such control in this organisation.");
        }

        if (input.FrameworkId is { } fid && !await db.Frameworks.AnyAsync(f => f.Id == fid && f.OrganisationId == organisationId, ct))
        {
            throw UseCaseException.Invalid("frameworkId", "No such framework in this organisation.");
        }

        if (input.Supersedes is { } sid && !await db.EvidenceItems.AnyAsync(e => e.Id == sid && e.OrganisationId == organisationId, ct))
        {
            throw UseCaseException.Invalid("supersedes", "No such evidence item in this organisation to supersede.");
        }

        return new CheckedEvidence(input, kind, periodFrom, periodTo, collectedAt, activityId, occurrenceId, clientKey, url);
    }

    /// <summary>
    /// Writes the record for content already in the store. With a client key seen before, returns the
    /// earlier item when the bytes match and refuses (409) when they differ.
    /// </summary>
    public async Task<EvidenceRecorded> RecordAsync(
        Guid organisationId, CheckedEvidence evidence, StoredContent? stored, string? fileName, string? contentType, EvidenceOrigin origin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(origin);
        if (evidence.ClientKey is { } key && await FindByClientKeyAsync(organisationId, key, ct) is { } earlier)
        {
            return Replay(earlier, stored);
        }

        var now = time.GetUtcNow();
        var input = evidence.Input;
        var safeName = stored is null ? null : OccurrenceService.SafeFileName(fileName);
        var item = EvidenceItem.New(organisationId, evidence.Kind, evidence.PeriodFrom, evidence.PeriodTo, evidence.CollectedAt, now, origin)
            .LinkTo(evidence.ActivityId, evidence.OccurrenceId, input.ControlId, input.FrameworkId);
        item.Title = CleanTitle(input.Title) ?? safeName ?? evidence.Url ?? $"{evidence.Kind.ToName()} {evidence.PeriodTo:yyyy-MM-dd}";
        item.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        item.FileName = safeName;
        item.ContentType = stored is null ? null : SafeContentType(contentType);
        item.Size = stored?.Size;
        item.Sha256 = stored?.Sha256;
        item.Url = evidence.Url;
        item.RetainUntil = input.RetainUntil;
        item.SupersedesId = input.Supersedes;
        item.ClientKey = evidence.ClientKey;
        var occurrenceEntry = evidence.OccurrenceId is { } occurrenceId ? OccurrenceEvidence.For(item, occurrenceId, origin.UserId, now) : null;

        try
        {
            if (input.Supersedes is null && input.Report is null && db.Database.CurrentTransaction is null)
            {
                // A new item on its own: committed together with other requests' items (one commit for many).
                await writer.WriteAsync(occurrenceEntry is null ? [item] : [item, occurrenceEntry], actor.Current, ct);
                if (origin.UserId is { } userId)
                {
                    item.SourceUser = await db.Users.FindAsync([userId], ct); // for the answer, as a save of its own would fix it up
                }
            }
            else
            {
                await RecordInTransactionAsync(organisationId, item, occurrenceEntry, stored, input, now, ct);
            }
        }
        catch (DbUpdateException) when (evidence.ClientKey is { } raced)
        {
            // Another request with the same client key won the race; answer with its item.
            db.ChangeTracker.Clear();
            var winner = await FindByClientKeyAsync(organisationId, raced, ct) ?? throw UseCaseException.Conflict("clientKey", "The upload could not be recorded; try again.");
            return Replay(winner, stored);
        }

        return new EvidenceRecorded(item, true);
    }

    /// <summary>
    /// A new version (the old item is marked superseded in the same transaction), an item whose report is
    /// imported into findings with it, or an item recorded inside the caller's own transaction.
    /// </summary>
    private async Task RecordInTransactionAsync(
        Guid organisationId, EvidenceItem item, OccurrenceEvidence? occurrenceEntry, StoredContent? stored, EvidenceInput input, DateTimeOffset now, CancellationToken ct)
    {
        using var gate = await SqliteWriteGate.EnterAsync(db.Database, ct);
        var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var owned = transaction;
        if (input.Supersedes is { } sid)
        {
            var old = await db.EvidenceItems.SingleAsync(e => e.Id == sid && e.OrganisationId == organisationId, ct);
            if (old.SupersededById is not null)
            {
                throw UseCaseException.Conflict("supersedes", $"'{old.Title}' is already superseded by a newer item; supersede that one instead.");
            }

            old.SupersededById = item.Id;
            old.SupersededAt = now;
        }

        db.EvidenceItems.Add(item);
        if (input.Report is { } report && stored is not null)
        {
            await using var content = await store.OpenReadAsync(stored.Sha256, ct)
                ?? throw new InvalidOperationException($"Content {stored.Sha256} vanished from the store before its report was read.");
            await ImporterFor(report).ImportAsync(organisationId, item, report.Trim().ToLowerInvariant(), content, ct);
        }

        if (occurrenceEntry is not null)
        {
            db.OccurrenceEvidence.Add(occurrenceEntry);
        }

        if (transaction is null)
        {
            // The caller's transaction: it commits or rolls back the whole.
            await db.SaveChangesAsync(ct);
            return;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(ct);
            throw;
        }
    }

    public async Task<EvidenceItem> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.EvidenceItems.AsNoTracking().Include(e => e.Links).Include(e => e.SourceUser)
            .SingleOrDefaultAsync(e => e.Id == id && e.OrganisationId == organisationId, ct)
        ?? throw UseCaseException.NotFound("No such evidence item.");

    /// <summary>Opens an item's stored content; 404 for links and for content missing from the store.</summary>
    public async Task<(EvidenceItem Item, Stream Content)> OpenContentAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var item = await GetAsync(organisationId, id, ct);
        if (item.Sha256 is null)
        {
            throw UseCaseException.NotFound("This evidence item is a link and has no stored content.");
        }

        var content = await store.OpenReadAsync(item.Sha256, ct)
            ?? throw UseCaseException.NotFound("The item's content is missing from the evidence store; run 'perennial evidence verify'.");
        return (item, content);
    }

    public async Task<Paged<EvidenceItem>> ListAsync(Guid organisationId, EvidenceQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var items = Filter(organisationId, query, today);
        return await items.OrderByDescending(e => e.PeriodTo).ThenByDescending(e => e.RecordedAt).ThenByDescending(e => e.Id)
            .Include(e => e.Links).Include(e => e.SourceUser).AsSplitQuery().ToPagedAsync(page, ct);
    }

    /// <summary>Items matching the query, for lists, timelines and exports.</summary>
    public IQueryable<EvidenceItem> Filter(Guid organisationId, EvidenceQuery query, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(query);
        var items = db.EvidenceItems.AsNoTracking().Where(e => e.OrganisationId == organisationId);
        if (query.ActivityId is { } activityId)
        {
            items = items.Where(e => e.Links.Any(l => l.ActivityId == activityId));
        }

        if (query.OccurrenceId is { } occurrenceId)
        {
            items = items.Where(e => e.Links.Any(l => l.OccurrenceId == occurrenceId));
        }

        if (query.ControlId is { } controlId)
        {
            // Evidence for a control: linked to it directly, or to an activity that operates it.
            var activities = db.ActivityControls.Where(ac => ac.ControlId == controlId).Select(ac => ac.ActivityId);
            items = items.Where(e => e.Links.Any(l => l.ControlId == controlId || (l.ActivityId != null && activities.Contains(l.ActivityId.Value))));
        }

        if (query.FrameworkId is { } frameworkId)
        {
            items = items.Where(e => e.Links.Any(l => l.FrameworkId == frameworkId));
        }

        if (query.Kind is { } kind)
        {
            items = items.Where(e => e.Kind == kind);
        }

        items = query.Status switch
        {
            EvidenceStatus.Superseded => items.Where(e => e.SupersededById != null),
            EvidenceStatus.Expired => items.Where(e => e.SupersededById == null && e.RetainUntil != null && e.RetainUntil < today),
            EvidenceStatus.Current => items.Where(e => e.SupersededById == null && (e.RetainUntil == null || e.RetainUntil >= today)),
            _ => items,
        };

        if (query.CoversFrom is { } from)
        {
            items = items.Where(e => e.PeriodTo >= from);
        }

        if (query.CoversTo is { } to)
        {
            items = items.Where(e => e.PeriodFrom <= to);
        }

        if (query.CollectorRunId is { } runId)
        {
            items = items.Where(e => e.CollectorRunId == runId);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLower();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            items = items.Where(e => e.Title.ToLower().Contains(text) || (e.FileName != null && e.FileName.ToLower().Contains(text)));
#pragma warning restore CA1862
        }

        return items;
    }

    /// <summary>The occurrence evidence for an activity goes to: the earliest one still open (overdue first), if any.</summary>
    public async Task<Guid?> CurrentOccurrenceAsync(Guid activityId, CancellationToken ct) =>
        await db.Occurrences.AsNoTracking()
            .Where(o => o.ActivityId == activityId && o.State == OccurrenceState.Open)
            .OrderBy(o => o.DueAt).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);

    public static string SafeContentType(string? type) =>
        type is { Length: > 0 and <= EvidenceItem.ContentTypeMaxLength } && type.Contains('/', StringComparison.Ordinal) && !type.Any(char.IsControl)
            ? type : "application/octet-stream";

    private IEvidenceReportImporter ImporterFor(string report)
    {
        var name = report.Trim().ToLowerInvariant();
        return importers.FirstOrDefault(i => i.Formats.Contains(name, StringComparer.Ordinal))
            ?? throw UseCaseException.Invalid("report", $"report must be one of {string.Join(", ", importers.SelectMany(i => i.Formats).DefaultIfEmpty("(no report formats are installed)"))}.");
    }

    private Task<EvidenceItem?> FindByClientKeyAsync(Guid organisationId, string key, CancellationToken ct) =>
        db.EvidenceItems.AsNoTracking().Include(e => e.Links).Include(e => e.SourceUser)
            .SingleOrDefaultAsync(e => e.OrganisationId == organisationId && e.ClientKey == key, ct);

    private static EvidenceRecorded Replay(EvidenceItem earlier, StoredContent? stored) =>
        earlier.Sha256 == stored?.Sha256
            ? new EvidenceRecorded(earlier, false)
            : throw UseCaseException.Conflict("clientKey", $"clientKey '{earlier.ClientKey}' was already used for different content (item {earlier.Id}). Use a new key for new evidence.");

    private static string? CleanTitle(string? title) => string.IsNullOrWhiteSpace(title) ? null : title.Trim();
}
