using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Paging;

namespace Perennial.ManagementReviews;

/// <summary>Who acts on a review, with their role in the organisation.</summary>
public sealed record ReviewActor(Guid UserId, OrgRole Role)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

public sealed record ReviewInput(string? Title, DateOnly? ScheduledOn, string? Location, Guid? ChairUserId, IReadOnlyList<Guid>? AttendeeUserIds, DateOnly? FirstPeriodFrom);

public sealed record DecisionInput(DecisionKind? Kind, string? Input, string? Title, string? Description, Guid? OwnerUserId, DateOnly? DueOn);

public sealed record ReviewQuery(ReviewStatus? Status = null);

/// <summary>A review with the names the pages and API show.</summary>
public sealed record ReviewDetail(
    ManagementReview Review, string ChairName, string? ChairEmail, IReadOnlyList<(Guid Id, string Name, string? Email)> Attendees,
    IReadOnlyList<ReviewMinute> Minutes, IReadOnlyList<DecisionRow> Decisions);

public sealed record DecisionRow(ReviewDecision Decision, string OwnerName, string? OwnerEmail, bool Overdue);

/// <summary>
/// Management reviews (ISO/IEC 27001 9.3): scheduled at planned intervals with a chair and attendees,
/// a pack assembled from the data for the period since the previous review and frozen as hashed
/// evidence when the review is held, minutes per input, and decisions that become actions tracked,
/// reminded and escalated until done. Managers run reviews; the chair records minutes and decisions
/// too; a decision's owner closes it.
/// </summary>
public sealed class ManagementReviewService(PerennialDbContext db, TimeProvider time, ReviewPackBuilder packs, EvidenceService evidence)
{
    public const int MaxAttendees = 50;

    /// <summary>How many days before an external audit the default review is scheduled.</summary>
    public const int DaysBeforeAudit = 30;

    public static readonly JsonSerializerOptions PackJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The inputs minutes can be recorded against.</summary>
    public static readonly IReadOnlyList<string> MinuteInputs = [.. ReviewPackBuilder.Inputs, "incidents", "changes", "general"];

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<Paged<ManagementReview>> ListAsync(Guid organisationId, ReviewQuery query, PageRequest page, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var reviews = db.ManagementReviews.AsNoTracking().Include(r => r.Attendees).Where(r => r.OrganisationId == organisationId);
        if (query.Status is { } status)
        {
            reviews = reviews.Where(r => r.Status == status);
        }

        return await reviews.OrderByDescending(r => r.ScheduledOn).ThenByDescending(r => r.Reference).ToPagedAsync(page, ct);
    }

    public async Task<ManagementReview> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.ManagementReviews.Include(r => r.Attendees).FirstOrDefaultAsync(r => r.OrganisationId == organisationId && r.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such management review in this organisation.");

    /// <summary>The next review still to be held, soonest first.</summary>
    public async Task<ManagementReview?> NextAsync(Guid organisationId, CancellationToken ct) =>
        await db.ManagementReviews.AsNoTracking().Where(r => r.OrganisationId == organisationId && r.Status == ReviewStatus.Scheduled)
            .OrderBy(r => r.ScheduledOn).FirstOrDefaultAsync(ct);

    public async Task<ReviewDetail> DetailAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var review = await GetAsync(organisationId, id, ct);
        var minutes = await db.ReviewMinutes.AsNoTracking().Where(m => m.ReviewId == id).ToListAsync(ct);
        var decisions = await db.ReviewDecisions.AsNoTracking().Where(d => d.ReviewId == id).ToListAsync(ct);
        var people = review.Attendees.Select(a => a.UserId).Append(review.ChairUserId).Concat(decisions.Select(d => d.OwnerUserId)).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.Email), ct);
        var today = Today;
        return new ReviewDetail(review, names.GetValueOrDefault(review.ChairUserId).DisplayName ?? "", names.GetValueOrDefault(review.ChairUserId).Email,
            [.. review.Attendees.Select(a => (a.UserId, names.GetValueOrDefault(a.UserId).DisplayName ?? "", names.GetValueOrDefault(a.UserId).Email)).OrderBy(a => a.Item2, StringComparer.OrdinalIgnoreCase)],
            [.. minutes.OrderBy(m => MinuteInputs.ToList().IndexOf(m.Input))],
            [.. decisions.OrderBy(d => d.CreatedAt).ThenBy(d => d.Reference, StringComparer.Ordinal)
                .Select(d => new DecisionRow(d, names.GetValueOrDefault(d.OwnerUserId).DisplayName ?? "", names.GetValueOrDefault(d.OwnerUserId).Email, d.Status == DecisionStatus.Open && d.DueOn < today))]);
    }

    /// <summary>The pack: as frozen when the review was held, else built from the data as it stands now.</summary>
    public async Task<ReviewPackModel> PackAsync(Guid organisationId, Guid id, CancellationToken ct)
    {
        var review = await GetAsync(organisationId, id, ct);
        if (review.Status == ReviewStatus.Held && review.PackJson is { } frozen)
        {
            return JsonSerializer.Deserialize<ReviewPackModel>(frozen, PackJson)!;
        }

        return await packs.BuildAsync(review, time.GetUtcNow(), ct);
    }

    public async Task<ManagementReview> ScheduleAsync(Guid organisationId, ReviewActor actor, ReviewInput input, CancellationToken ct)
    {
        RequireManager(actor, "schedule a management review");
        var clean = await CleanAsync(organisationId, input, null, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var review = await AddAsync(organisationId, clean, null, ct);
        await transaction.CommitAsync(ct);
        return review;
    }

    /// <summary>
    /// The default programme: one review before each external audit still to come that has none, on
    /// <see cref="DaysBeforeAudit"/> days before it (or in a week when that day has passed).
    /// </summary>
    public async Task<IReadOnlyList<ManagementReview>> ScheduleForAuditsAsync(Guid organisationId, ReviewActor actor, Guid? chairUserId, CancellationToken ct)
    {
        RequireManager(actor, "schedule management reviews");
        var today = Today;
        var audits = await db.ExternalAudits.AsNoTracking()
            .Where(a => a.OrganisationId == organisationId && a.HeldOn == null && a.PlannedDate > today)
            .OrderBy(a => a.PlannedDate).Select(a => new { a.Id, a.Kind, a.PlannedDate }).ToListAsync(ct);
        var covered = await db.ManagementReviews.AsNoTracking()
            .Where(r => r.OrganisationId == organisationId && r.ExternalAuditId != null && r.Status != ReviewStatus.Cancelled)
            .Select(r => r.ExternalAuditId!.Value).ToListAsync(ct);
        var chair = chairUserId ?? actor.UserId;
        var created = new List<ManagementReview>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var audit in audits.Where(a => !covered.Contains(a.Id)))
        {
            var on = audit.PlannedDate.AddDays(-DaysBeforeAudit);
            if (on <= today)
            {
                on = today.AddDays(7) < audit.PlannedDate ? today.AddDays(7) : audit.PlannedDate.AddDays(-1);
            }

            var clean = await CleanAsync(organisationId, new ReviewInput($"Management review before the {AuditName(audit.Kind)} audit", on, null, chair, [], null), null, ct);
            created.Add(await AddAsync(organisationId, clean, audit.Id, ct));
        }

        await transaction.CommitAsync(ct);
        return created;
    }

    public async Task<ManagementReview> UpdateAsync(Guid organisationId, Guid id, ReviewActor actor, ReviewInput input, CancellationToken ct)
    {
        RequireManager(actor, "change a management review");
        var review = await GetAsync(organisationId, id, ct);
        RequireScheduled(review, "changed");
        var clean = await CleanAsync(organisationId, input, review, ct);
        db.ReviewAttendees.RemoveRange(review.Attendees);
        Apply(review, clean);
        db.ReviewAttendees.AddRange(review.Attendees);
        review.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return review;
    }

    public async Task<ManagementReview> CancelAsync(Guid organisationId, Guid id, ReviewActor actor, string? reason, CancellationToken ct)
    {
        RequireManager(actor, "cancel a management review");
        var review = await GetAsync(organisationId, id, ct);
        RequireScheduled(review, "cancelled");
        review.CancellationReason = TextInput.Clean(reason, "reason", ManagementReview.TextMaxLength, required: true);
        review.Status = ReviewStatus.Cancelled;
        review.CancelledAt = time.GetUtcNow();
        review.UpdatedAt = review.CancelledAt.Value;
        await db.SaveChangesAsync(ct);
        return review;
    }

    /// <summary>
    /// Records that the review took place: the pack is built as it stands at this moment, stored on the
    /// review and as an evidence item (its SHA-256 kept with it), and not built again; later changes to
    /// the records do not alter it.
    /// </summary>
    public async Task<ManagementReview> HoldAsync(Guid organisationId, Guid id, ReviewActor actor, CancellationToken ct)
    {
        var review = await GetAsync(organisationId, id, ct);
        RequireChairOrManager(actor, review, "record the review as held");
        RequireScheduled(review, "held");
        if (review.ScheduledOn > Today.AddDays(1))
        {
            throw UseCaseException.Conflict("scheduledOn", $"{review.Reference} is scheduled for {review.ScheduledOn:yyyy-MM-dd}; move its date before recording it as held.");
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"management-reviews:{organisationId}", ct);
        review.HeldAt = now;
        review.HeldByUserId = actor.UserId;
        var pack = await packs.BuildAsync(review, now, ct);
        pack = pack with { Frozen = true };
        var json = JsonSerializer.Serialize(pack, PackJson);
        var bytes = Encoding.UTF8.GetBytes(json);
        var control = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == organisationId && c.Kind == ControlKind.Clause && c.Identifier == "9.3.3" && c.Framework!.Name == Iso27001Catalog.Name)
            .Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        using var content = new MemoryStream(bytes, writable: false);
        var recorded = await evidence.AddAsync(organisationId, new EvidenceInput
        {
            Kind = EvidenceKind.File,
            Title = $"Management review pack {review.Reference}, held {DateOnly.FromDateTime(now.UtcDateTime):yyyy-MM-dd}",
            Description = $"{review.Title}: the pack as it stood when the review was held.",
            PeriodFrom = DateOnly.FromDateTime(pack.PeriodFrom.UtcDateTime),
            PeriodTo = DateOnly.FromDateTime(now.UtcDateTime),
            CollectedAt = now,
            ControlId = control,
            ClientKey = $"management-review:{review.Id}",
        }, new IncomingContent(content, $"management-review-{review.Reference}.json", "application/json"), new EvidenceOrigin(EvidenceSource.System, actor.UserId), ct);

        review = await GetAsync(organisationId, id, ct);
        review.Status = ReviewStatus.Held;
        review.HeldAt = now;
        review.HeldByUserId = actor.UserId;
        review.PackJson = json;
        review.PackSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        review.PackEvidenceItemId = recorded.Item.Id;
        review.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return review;
    }

    /// <summary>Records (or replaces) the minutes of one input; an empty text removes them.</summary>
    public async Task<ReviewMinute?> RecordMinutesAsync(Guid organisationId, Guid id, ReviewActor actor, string? input, string? text, CancellationToken ct)
    {
        var review = await GetAsync(organisationId, id, ct);
        RequireChairOrManager(actor, review, "record minutes");
        RequireNotCancelled(review);
        var key = (input ?? "").Trim().ToLowerInvariant();
        if (!MinuteInputs.Contains(key))
        {
            throw UseCaseException.Invalid("input", $"input must be one of {string.Join(", ", MinuteInputs)}.");
        }

        var clean = TextInput.Clean(text, "text", ReviewMinute.TextMaxLength);
        var minute = await db.ReviewMinutes.FirstOrDefaultAsync(m => m.ReviewId == id && m.Input == key, ct);
        if (clean is null)
        {
            if (minute is not null)
            {
                db.ReviewMinutes.Remove(minute);
                await db.SaveChangesAsync(ct);
            }

            return null;
        }

        if (minute is null)
        {
            minute = new ReviewMinute { Id = Guid.NewGuid(), OrganisationId = organisationId, ReviewId = id, Input = key };
            db.ReviewMinutes.Add(minute);
        }

        minute.Text = clean;
        minute.UpdatedByUserId = actor.UserId;
        minute.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return minute;
    }

    /// <summary>A decision of the review, which becomes an action for its owner, due on its date.</summary>
    public async Task<ReviewDecision> DecideAsync(Guid organisationId, Guid id, ReviewActor actor, DecisionInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var review = await GetAsync(organisationId, id, ct);
        RequireChairOrManager(actor, review, "record a decision");
        RequireNotCancelled(review);
        var kind = input.Kind ?? throw UseCaseException.Invalid("kind", "Say what the decision is about: improvement, isms-change or resources.");
        if (!Enum.IsDefined(kind))
        {
            throw UseCaseException.Invalid("kind", "kind must be improvement, isms-change or resources.");
        }

        var section = string.IsNullOrWhiteSpace(input.Input) ? null : input.Input.Trim().ToLowerInvariant();
        if (section is not null && !MinuteInputs.Contains(section))
        {
            throw UseCaseException.Invalid("input", $"input must be one of {string.Join(", ", MinuteInputs)}.");
        }

        var title = TextInput.Clean(input.Title, "title", ReviewDecision.TitleMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", ReviewDecision.TextMaxLength);
        var owner = input.OwnerUserId ?? throw UseCaseException.Invalid("owner", "Every decision has an owner who carries it out.");
        await RequireMemberAsync(organisationId, owner, "owner", ct);
        var due = input.DueOn ?? throw UseCaseException.Invalid("dueOn", "Say by when the decision is to be carried out (dueOn).");
        if (due < Today)
        {
            throw UseCaseException.Invalid("dueOn", "The due date cannot be in the past.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"management-reviews:{organisationId}", ct);
        var number = await db.ReviewDecisions.CountAsync(d => d.ReviewId == id, ct) + 1;
        var decision = new ReviewDecision
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            ReviewId = id,
            Reference = string.Create(CultureInfo.InvariantCulture, $"{review.Reference}-D{number}"),
            Kind = kind,
            Input = section,
            Title = title,
            Description = description,
            OwnerUserId = owner,
            DueOn = due,
            CreatedAt = time.GetUtcNow(),
        };
        db.ReviewDecisions.Add(decision);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return decision;
    }

    public async Task<ReviewDecision> GetDecisionAsync(Guid organisationId, Guid decisionId, CancellationToken ct) =>
        await db.ReviewDecisions.FirstOrDefaultAsync(d => d.OrganisationId == organisationId && d.Id == decisionId, ct)
        ?? throw UseCaseException.NotFound("No such decision in this organisation.");

    /// <summary>The owner (or a manager) marks a decision done, with a note on what was done.</summary>
    public async Task<ReviewDecision> CompleteDecisionAsync(Guid organisationId, Guid decisionId, ReviewActor actor, string? note, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var decision = await GetDecisionAsync(organisationId, decisionId, ct);
        if (!actor.IsManager && decision.OwnerUserId != actor.UserId)
        {
            throw UseCaseException.Forbidden($"Only the owner of {decision.Reference} or an ISMS manager marks it done.");
        }

        RequireOpen(decision);
        var text = TextInput.Clean(note, "note", ReviewDecision.TextMaxLength, required: true);
        var now = time.GetUtcNow();
        decision.Status = DecisionStatus.Done;
        decision.DoneOn = Today;
        decision.ClosedAt = now;
        decision.ClosingNote = text;
        decision.ClosedByUserId = actor.UserId;
        await db.SaveChangesAsync(ct);
        return decision;
    }

    /// <summary>A manager cancels a decision that no longer holds, with the reason.</summary>
    public async Task<ReviewDecision> CancelDecisionAsync(Guid organisationId, Guid decisionId, ReviewActor actor, string? reason, CancellationToken ct)
    {
        RequireManager(actor, "cancel a decision");
        var decision = await GetDecisionAsync(organisationId, decisionId, ct);
        RequireOpen(decision);
        decision.ClosingNote = TextInput.Clean(reason, "reason", ReviewDecision.TextMaxLength, required: true);
        decision.Status = DecisionStatus.Cancelled;
        decision.ClosedAt = time.GetUtcNow();
        decision.ClosedByUserId = actor.UserId;
        await db.SaveChangesAsync(ct);
        return decision;
    }

    /// <summary>Open decisions of all reviews, soonest due first, optionally one owner's.</summary>
    public async Task<IReadOnlyList<DecisionRow>> OpenDecisionsAsync(Guid organisationId, Guid? ownerUserId, CancellationToken ct)
    {
        var rows = await db.ReviewDecisions.AsNoTracking()
            .Where(d => d.OrganisationId == organisationId && d.Status == DecisionStatus.Open && (ownerUserId == null || d.OwnerUserId == ownerUserId))
            .OrderBy(d => d.DueOn).ThenBy(d => d.Reference).ToListAsync(ct);
        var owners = rows.Select(d => d.OwnerUserId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.Email), ct);
        var today = Today;
        return [.. rows.Select(d => new DecisionRow(d, names.GetValueOrDefault(d.OwnerUserId).DisplayName ?? "", names.GetValueOrDefault(d.OwnerUserId).Email, d.DueOn < today))];
    }

    private sealed record Clean(string Title, DateOnly ScheduledOn, string? Location, Guid Chair, IReadOnlyList<Guid> Attendees, DateOnly? FirstPeriodFrom);

    private async Task<Clean> CleanAsync(Guid organisationId, ReviewInput input, ManagementReview? existing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var title = TextInput.Clean(input.Title, "title", ManagementReview.TitleMaxLength) ?? existing?.Title ?? "Management review";
        var on = input.ScheduledOn ?? existing?.ScheduledOn ?? throw UseCaseException.Invalid("scheduledOn", "Say when the review takes place (scheduledOn).");
        if (existing is null && on < Today)
        {
            throw UseCaseException.Invalid("scheduledOn", "A review is scheduled for today or later; record a past one by scheduling it today and holding it.");
        }

        var location = TextInput.Clean(input.Location, "location", 300);
        var chair = input.ChairUserId ?? existing?.ChairUserId ?? throw UseCaseException.Invalid("chair", "Every review has a chair from top management.");
        await RequireMemberAsync(organisationId, chair, "chair", ct);
        var attendees = (input.AttendeeUserIds ?? existing?.Attendees.Select(a => a.UserId).ToList() ?? []).Distinct().Where(a => a != chair).ToList();
        if (attendees.Count > MaxAttendees)
        {
            throw UseCaseException.Invalid("attendees", $"A review has at most {MaxAttendees} attendees.");
        }

        var members = await db.Memberships.ActiveOn(Today).Where(m => m.OrganisationId == organisationId && attendees.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(ct);
        if (attendees.FirstOrDefault(a => !members.Contains(a)) is { } stranger && stranger != Guid.Empty)
        {
            throw UseCaseException.Invalid("attendees", "Every attendee must be a current member of this organisation.");
        }

        var firstFrom = input.FirstPeriodFrom ?? existing?.FirstPeriodFrom;
        if (firstFrom is { } f && f >= on)
        {
            throw UseCaseException.Invalid("firstPeriodFrom", "The period reviewed starts before the review's date.");
        }

        return new Clean(title, on, location, chair, attendees, firstFrom);
    }

    private async Task<ManagementReview> AddAsync(Guid organisationId, Clean clean, Guid? externalAuditId, CancellationToken ct)
    {
        await db.LockAsync($"management-reviews:{organisationId}", ct);
        var number = await db.ManagementReviews.CountAsync(r => r.OrganisationId == organisationId, ct) + 1;
        var now = time.GetUtcNow();
        var review = new ManagementReview
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Reference = string.Create(CultureInfo.InvariantCulture, $"MR-{number:000}"),
            ExternalAuditId = externalAuditId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(review, clean);
        db.ManagementReviews.Add(review);
        await db.SaveChangesAsync(ct);
        return review;
    }

    private static void Apply(ManagementReview review, Clean clean)
    {
        review.Title = clean.Title;
        review.ScheduledOn = clean.ScheduledOn;
        review.Location = clean.Location;
        review.ChairUserId = clean.Chair;
        review.FirstPeriodFrom = clean.FirstPeriodFrom;
        review.Attendees = [.. clean.Attendees.Select(a => new ReviewAttendee { ReviewId = review.Id, UserId = a })];
    }

    private async Task RequireMemberAsync(Guid organisationId, Guid userId, string field, CancellationToken ct)
    {
        var role = await db.Memberships.ActiveOn(Today).Where(m => m.OrganisationId == organisationId && m.UserId == userId)
            .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null or < OrgRole.Contributor)
        {
            throw UseCaseException.Invalid(field, $"The {field} must be a current contributor, manager or admin of this organisation.");
        }
    }

    private static string AuditName(Certification.ExternalAuditKind kind) => kind switch
    {
        Certification.ExternalAuditKind.Surveillance1 => "first surveillance",
        Certification.ExternalAuditKind.Surveillance2 => "second surveillance",
        _ => "recertification",
    };

    private static void RequireScheduled(ManagementReview review, string what)
    {
        if (review.Status != ReviewStatus.Scheduled)
        {
            throw UseCaseException.Conflict("status", $"{review.Reference} is {(review.Status == ReviewStatus.Held ? "held" : "cancelled")}; it cannot be {what}.");
        }
    }

    private static void RequireNotCancelled(ManagementReview review)
    {
        if (review.Status == ReviewStatus.Cancelled)
        {
            throw UseCaseException.Conflict("status", $"{review.Reference} is cancelled.");
        }
    }

    private static void RequireOpen(ReviewDecision decision)
    {
        if (decision.Status != DecisionStatus.Open)
        {
            throw UseCaseException.Conflict("status", $"{decision.Reference} is already {(decision.Status == DecisionStatus.Done ? "done" : "cancelled")}.");
        }
    }

    private static void RequireChairOrManager(ReviewActor actor, ManagementReview review, string what)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager && actor.UserId != review.ChairUserId)
        {
            throw UseCaseException.Forbidden($"Only the chair of {review.Reference} or an ISMS manager may {what}.");
        }
    }

    private static void RequireManager(ReviewActor actor, string what)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager)
        {
            throw UseCaseException.Forbidden($"Only an ISMS manager may {what}.");
        }
    }
}

/// <summary>The words the API and pages use for reviews and decisions.</summary>
public static class ReviewNames
{
    public static string Name(ReviewStatus s) => s.ToString().ToLowerInvariant();

    public static ReviewStatus? ParseStatus(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "scheduled" => ReviewStatus.Scheduled,
        "held" => ReviewStatus.Held,
        "cancelled" => ReviewStatus.Cancelled,
        _ => null,
    };

    public static string Name(DecisionKind k) => k switch
    {
        DecisionKind.Improvement => "improvement",
        DecisionKind.IsmsChange => "isms-change",
        _ => "resources",
    };

    public static string Label(DecisionKind k) => k switch
    {
        DecisionKind.Improvement => "Continual improvement",
        DecisionKind.IsmsChange => "Change to the ISMS",
        _ => "Resources",
    };

    public static DecisionKind? ParseKind(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "improvement" => DecisionKind.Improvement,
        "isms-change" => DecisionKind.IsmsChange,
        "resources" => DecisionKind.Resources,
        _ => null,
    };

    public static string Name(DecisionStatus s) => s.ToString().ToLowerInvariant();
}
