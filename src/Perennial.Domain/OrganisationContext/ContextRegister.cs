using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.OrganisationContext;

/// <summary>Who is changing the register, by name for its revisions.</summary>
public sealed record ContextActor(Guid UserId, string Name, OrgRole Role)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

public sealed record RequirementInput(string? Text, bool Addressed, string? How);

/// <summary>An entry as entered; <see cref="Requirements"/> only for interested parties.</summary>
public sealed record ContextInput(
    ContextKind? Kind, string? Title, string? Description, string? Category, bool ClimateChange, bool Relevant,
    Guid? OwnerUserId, int? ReviewIntervalMonths, IReadOnlyList<RequirementInput>? Requirements);

public sealed record ContextQuery(ContextKind? Kind = null, ContextStatus? Status = ContextStatus.Active, Guid? OwnerUserId = null, bool DueOnly = false, string? Text = null);

/// <summary>Where the organisation stands on climate change as an issue (4.1): not assessed, relevant, or assessed as not relevant.</summary>
public enum ClimateAssessment
{
    NotAssessed = 0,
    Relevant = 1,
    NotRelevant = 2,
}

/// <summary>A revision with the entry it belongs to, for "what changed between two dates".</summary>
public sealed record ContextChange(Guid EntryId, string Reference, ContextKind Kind, string Title, int Number, DateTimeOffset At, string Author, string Reason);

/// <summary>
/// The context of the organisation (ISO/IEC 27001 4.1, 4.2): internal and external issues and
/// interested parties with their requirements, each owned and reviewed at an interval like a risk.
/// Managers keep the register; an entry's owner reviews it. Every change writes a revision, so what
/// changed over a period (management review inputs b and c) is one query.
/// </summary>
public sealed class ContextRegister(PerennialDbContext db, TimeProvider time)
{
    public const int MinIntervalMonths = 1;
    public const int MaxIntervalMonths = 36;
    public const int DefaultIntervalMonths = 12;

    private static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web);

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<ContextEntry> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.ContextEntries.Include(e => e.Requirements.OrderBy(r => r.SortOrder))
            .FirstOrDefaultAsync(e => e.OrganisationId == organisationId && e.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such entry in this organisation's context register.");

    public async Task<Paged<ContextEntry>> ListAsync(Guid organisationId, ContextQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var entries = db.ContextEntries.AsNoTracking().Include(e => e.Requirements.OrderBy(r => r.SortOrder)).Where(e => e.OrganisationId == organisationId);
        if (query.Kind is { } kind)
        {
            entries = entries.Where(e => e.Kind == kind);
        }

        if (query.Status is { } status)
        {
            entries = entries.Where(e => e.Status == status);
        }

        if (query.OwnerUserId is { } owner)
        {
            entries = entries.Where(e => e.OwnerUserId == owner);
        }

        if (query.DueOnly)
        {
            var today = Today;
            entries = entries.Where(e => e.Status == ContextStatus.Active && e.NextReviewOn <= today);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // ToLower().Contains translates to SQL on both providers.
            entries = entries.Where(e => e.Title.ToLower().Contains(text) || e.Reference.ToLower().Contains(text) || (e.Description != null && e.Description.ToLower().Contains(text)));
#pragma warning restore CA1862
        }

        return await entries.OrderBy(e => e.Kind == ContextKind.InterestedParty).ThenBy(e => e.Reference).AsSplitQuery().ToPagedAsync(page, ct);
    }

    public async Task<IReadOnlyList<ContextRevision>> RevisionsAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.ContextRevisions.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.ContextEntryId == id).OrderByDescending(r => r.Number).ToListAsync(ct);

    /// <summary>Every revision written after <paramref name="from"/> up to and including <paramref name="to"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ContextChange>> ChangesAsync(Guid organisationId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        if (to < from)
        {
            throw UseCaseException.Invalid("to", "'to' must not be before 'from'.");
        }

        var rows = await db.ContextRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.At > from && r.At <= to)
            .Select(r => new ContextChange(r.ContextEntryId, r.Reference, r.Kind, r.Title, r.Number, r.At, r.Author, r.Reason))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.At).ThenBy(r => r.Reference, StringComparer.Ordinal).ThenBy(r => r.Number)];
    }

    /// <summary>
    /// The register as it stood at <paramref name="at"/>: each entry's revision in force then, retired
    /// ones left out. A scope version links to the register this way, by the moment it was saved.
    /// </summary>
    public async Task<IReadOnlyList<ContextChange>> AsOfAsync(Guid organisationId, DateTimeOffset at, CancellationToken ct)
    {
        var rows = await db.ContextRevisions.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.At <= at)
            .Select(r => new ContextChange(r.ContextEntryId, r.Reference, r.Kind, r.Title, r.Number, r.At, r.Author, r.Reason))
            .ToListAsync(ct);
        return [.. rows.GroupBy(r => r.EntryId).Select(g => g.MaxBy(r => r.Number)!)
            .Where(r => !r.Reason.StartsWith("retired", StringComparison.Ordinal))
            .OrderBy(r => r.Kind == ContextKind.InterestedParty).ThenBy(r => r.Reference, StringComparer.Ordinal)];
    }

    /// <summary>The climate-change assessment the register holds, from its active climate issues.</summary>
    public async Task<(ClimateAssessment Assessment, IReadOnlyList<string> References)> ClimateAsync(Guid organisationId, CancellationToken ct)
    {
        var issues = await db.ContextEntries.AsNoTracking()
            .Where(e => e.OrganisationId == organisationId && e.ClimateChange && e.Status == ContextStatus.Active)
            .OrderBy(e => e.Reference).Select(e => new { e.Reference, e.Relevant }).ToListAsync(ct);
        var assessment = issues.Count == 0 ? ClimateAssessment.NotAssessed : issues.Any(i => i.Relevant) ? ClimateAssessment.Relevant : ClimateAssessment.NotRelevant;
        return (assessment, [.. issues.Select(i => i.Reference)]);
    }

    public async Task<ContextEntry> CreateAsync(Guid organisationId, ContextActor actor, ContextInput input, CancellationToken ct)
    {
        RequireManager(actor, "add to the context register");
        var clean = await CleanAsync(organisationId, input, null, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"context:{organisationId}", ct);
        var prefix = clean.Kind == ContextKind.InterestedParty ? "IP-" : "ISS-";
        var issues = clean.Kind == ContextKind.InterestedParty
            ? db.ContextEntries.Where(e => e.OrganisationId == organisationId && e.Kind == ContextKind.InterestedParty)
            : db.ContextEntries.Where(e => e.OrganisationId == organisationId && e.Kind != ContextKind.InterestedParty);
        var count = await issues.CountAsync(ct);
        var now = time.GetUtcNow();
        var entry = new ContextEntry
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Reference = $"{prefix}{count + 1:000}",
            CreatedAt = now,
            UpdatedAt = now,
            NextReviewOn = Today.AddMonths(clean.Interval),
        };
        Apply(entry, clean);
        db.ContextEntries.Add(entry);
        await db.SaveChangesAsync(ct);
        await WriteRevisionAsync(entry, actor, "created", ct);
        await transaction.CommitAsync(ct);
        return entry;
    }

    /// <summary>Changes an entry (its kind stays); a changed interval moves the next review from the last one.</summary>
    public async Task<ContextEntry> UpdateAsync(Guid organisationId, Guid id, ContextActor actor, ContextInput input, string? note, CancellationToken ct)
    {
        RequireManager(actor, "change the context register");
        var entry = await GetAsync(organisationId, id, ct);
        if (entry.Status == ContextStatus.Retired)
        {
            throw UseCaseException.Conflict("status", $"{entry.Reference} is retired; its history stays as it is.");
        }

        var clean = await CleanAsync(organisationId, input, entry, ct);
        var reason = TextInput.Clean(note, "note", ContextEntry.TextMaxLength) ?? "edited";
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var intervalChanged = clean.Interval != entry.ReviewIntervalMonths;
        db.ContextRequirements.RemoveRange(entry.Requirements);
        Apply(entry, clean);
        db.ContextRequirements.AddRange(entry.Requirements); // new rows with their own ids: added, not taken for existing ones

        if (intervalChanged)
        {
            entry.NextReviewOn = (entry.LastReviewedOn ?? DateOnly.FromDateTime(entry.CreatedAt.UtcDateTime)).AddMonths(clean.Interval);
        }

        entry.UpdatedAt = time.GetUtcNow();
        entry.Revision++;
        await db.SaveChangesAsync(ct);
        await WriteRevisionAsync(entry, actor, reason, ct);
        await transaction.CommitAsync(ct);
        return entry;
    }

    /// <summary>The owner (or a manager) confirms the entry still holds: the next review moves one interval on from today.</summary>
    public async Task<ContextEntry> ReviewAsync(Guid organisationId, Guid id, ContextActor actor, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var entry = await GetAsync(organisationId, id, ct);
        if (!actor.IsManager && entry.OwnerUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the owner of {entry.Reference} or an ISMS manager reviews it.");
        }

        if (entry.Status == ContextStatus.Retired)
        {
            throw UseCaseException.Conflict("status", $"{entry.Reference} is retired: there is nothing to review.");
        }

        var reason = TextInput.Clean(note, "note", ContextEntry.TextMaxLength);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        entry.LastReviewedOn = Today;
        entry.NextReviewOn = Today.AddMonths(entry.ReviewIntervalMonths);
        entry.UpdatedAt = time.GetUtcNow();
        entry.Revision++;
        await db.SaveChangesAsync(ct);
        await WriteRevisionAsync(entry, actor, reason is null ? "reviewed" : $"reviewed: {reason}", ct);
        await transaction.CommitAsync(ct);
        return entry;
    }

    /// <summary>Takes an entry out of the register with a reason; it stays, with its history, as retired.</summary>
    public async Task<ContextEntry> RetireAsync(Guid organisationId, Guid id, ContextActor actor, string? reason, CancellationToken ct)
    {
        RequireManager(actor, "retire an entry of the context register");
        var entry = await GetAsync(organisationId, id, ct);
        if (entry.Status == ContextStatus.Retired)
        {
            throw UseCaseException.Conflict("status", $"{entry.Reference} is already retired.");
        }

        var why = TextInput.Clean(reason, "reason", ContextEntry.TextMaxLength, required: true)!;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        entry.Status = ContextStatus.Retired;
        entry.UpdatedAt = time.GetUtcNow();
        entry.Revision++;
        await db.SaveChangesAsync(ct);
        await WriteRevisionAsync(entry, actor, $"retired: {why}", ct);
        await transaction.CommitAsync(ct);
        return entry;
    }

    private sealed record Clean(
        ContextKind Kind, string Title, string? Description, string? Category, bool ClimateChange, bool Relevant, Guid Owner, int Interval,
        IReadOnlyList<ContextRequirement> Requirements);

    private async Task<Clean> CleanAsync(Guid organisationId, ContextInput input, ContextEntry? existing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var kind = existing?.Kind ?? input.Kind ?? throw UseCaseException.Invalid("kind", "Say what the entry is: internal-issue, external-issue or interested-party.");
        if (existing is not null && input.Kind is { } asked && asked != existing.Kind)
        {
            throw UseCaseException.Invalid("kind", $"{existing.Reference} stays what it is; retire it and add a new entry instead.");
        }

        var title = TextInput.Clean(input.Title, "title", ContextEntry.TitleMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", ContextEntry.TextMaxLength);
        var category = TextInput.Clean(input.Category, "category", ContextEntry.CategoryMaxLength);
        var interval = input.ReviewIntervalMonths ?? existing?.ReviewIntervalMonths ?? DefaultIntervalMonths;
        if (interval is < MinIntervalMonths or > MaxIntervalMonths)
        {
            throw UseCaseException.Invalid("reviewIntervalMonths", $"reviewIntervalMonths must be {MinIntervalMonths} to {MaxIntervalMonths}.");
        }

        if (kind == ContextKind.InterestedParty && input.ClimateChange)
        {
            throw UseCaseException.Invalid("climateChange", "Climate change is assessed as an issue (internal or external), not as an interested party.");
        }

        if (!input.Relevant && string.IsNullOrEmpty(description))
        {
            throw UseCaseException.Invalid("description", "Say why the issue is not relevant: an issue kept as not relevant records the reasoning.");
        }

        var owner = input.OwnerUserId ?? throw UseCaseException.Invalid("owner", "Every entry has an owner who reviews it.");
        var role = await db.Memberships.ActiveOn(Today).Where(m => m.OrganisationId == organisationId && m.UserId == owner)
            .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null)
        {
            throw UseCaseException.Invalid("owner", "The owner must be a current member of this organisation.");
        }

        if (role < OrgRole.Contributor)
        {
            throw UseCaseException.Invalid("owner", "The owner must be a contributor, manager or admin; auditors only read.");
        }

        var requirements = input.Requirements ?? [];
        if (kind != ContextKind.InterestedParty && requirements.Count > 0)
        {
            throw UseCaseException.Invalid("requirements", "Only an interested party has requirements; an issue is described in its description.");
        }

        if (requirements.Count > ContextEntry.MaxRequirements)
        {
            throw UseCaseException.Invalid("requirements", $"An interested party has at most {ContextEntry.MaxRequirements} requirements.");
        }

        var rows = new List<ContextRequirement>();
        for (var i = 0; i < requirements.Count; i++)
        {
            var r = requirements[i] ?? throw UseCaseException.Invalid($"requirements[{i}]", $"requirements[{i}] is empty.");
            rows.Add(new ContextRequirement
            {
                Id = Guid.NewGuid(),
                SortOrder = i,
                Text = TextInput.Clean(r.Text, $"requirements[{i}].text", ContextRequirement.TextMaxLength, required: true)!,
                Addressed = r.Addressed,
                How = TextInput.Clean(r.How, $"requirements[{i}].how", ContextRequirement.TextMaxLength),
            });
        }

        return new Clean(kind, title, description, category, input.ClimateChange, input.Relevant, owner, interval, rows);
    }

    private static void Apply(ContextEntry entry, Clean clean)
    {
        entry.Kind = clean.Kind;
        entry.Title = clean.Title;
        entry.Description = clean.Description;
        entry.Category = clean.Category;
        entry.ClimateChange = clean.ClimateChange;
        entry.Relevant = clean.Relevant;
        entry.OwnerUserId = clean.Owner;
        entry.ReviewIntervalMonths = clean.Interval;
        entry.Requirements = [.. clean.Requirements.Select(r => { r.ContextEntryId = entry.Id; return r; })];
    }

    private async Task WriteRevisionAsync(ContextEntry entry, ContextActor actor, string reason, CancellationToken ct)
    {
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == entry.OwnerUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "";
        var snapshot = new ContextSnapshot(entry.Reference, ContextNames.Name(entry.Kind), entry.Title, entry.Description, entry.Category, entry.ClimateChange, entry.Relevant,
            owner, entry.ReviewIntervalMonths, entry.NextReviewOn, entry.Status == ContextStatus.Active ? "active" : "retired",
            [.. entry.Requirements.OrderBy(r => r.SortOrder).Select(r => new ContextSnapshotRequirement(r.Text, r.Addressed, r.How))]);
        db.ContextRevisions.Add(new ContextRevision
        {
            Id = Guid.NewGuid(),
            OrganisationId = entry.OrganisationId,
            ContextEntryId = entry.Id,
            Number = entry.Revision,
            At = entry.UpdatedAt,
            Author = actor.Name.Length > 256 ? actor.Name[..256] : actor.Name,
            Reason = reason.Length > ContextEntry.TextMaxLength ? reason[..ContextEntry.TextMaxLength] : reason,
            Kind = entry.Kind,
            Reference = entry.Reference,
            Title = entry.Title,
            SnapshotJson = JsonSerializer.Serialize(snapshot, SnapshotJson),
        });
        await db.SaveChangesAsync(ct);
    }

    private static void RequireManager(ContextActor actor, string what)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager)
        {
            throw UseCaseException.Forbidden($"Only an ISMS manager may {what}.");
        }
    }
}

/// <summary>The words the API and pages use for the register's enums.</summary>
public static class ContextNames
{
    public static string Name(ContextKind kind) => kind switch
    {
        ContextKind.InternalIssue => "internal-issue",
        ContextKind.ExternalIssue => "external-issue",
        _ => "interested-party",
    };

    public static string Label(ContextKind kind) => kind switch
    {
        ContextKind.InternalIssue => "Internal issue",
        ContextKind.ExternalIssue => "External issue",
        _ => "Interested party",
    };

    public static ContextKind? Parse(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "internal-issue" => ContextKind.InternalIssue,
        "external-issue" => ContextKind.ExternalIssue,
        "interested-party" => ContextKind.InterestedParty,
        _ => null,
    };
}
