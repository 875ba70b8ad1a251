using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Measurement;

public sealed record ObjectiveInput(
    string? Title, string? Description, Guid? OwnerUserId, Guid? MeasureId, double? Target, DateOnly? DueOn, ObjectiveStatus? Status, string? StatusNote);

/// <summary>An objective with its measure's newest value and how that value reads against the objective's target.</summary>
public sealed record ObjectiveSummary(
    Objective Objective, string OwnerName, string? OwnerEmail, Measure? Measure, MeasureValue? Latest, double? EffectiveTarget, MeasureRating Rating, bool Overdue);

/// <summary>Information security objectives (ISO/IEC 27001 6.2), each tracked by a measure against its target.</summary>
public sealed class ObjectiveService(PerennialDbContext db, TimeProvider time)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<IReadOnlyList<ObjectiveSummary>> ListAsync(Guid organisationId, ObjectiveStatus? status, CancellationToken ct)
    {
        var objectives = await db.Objectives.AsNoTracking()
            .Where(o => o.OrganisationId == organisationId && (status == null || o.Status == status))
            .ToListAsync(ct);
        return await SummariseAsync(organisationId, objectives, ct);
    }

    public async Task<Objective> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Objectives.FirstOrDefaultAsync(o => o.OrganisationId == organisationId && o.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such objective in this organisation.");

    public async Task<ObjectiveSummary> SummaryAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        (await SummariseAsync(organisationId, [await GetAsync(organisationId, id, ct)], ct))[0];

    public async Task<Objective> CreateAsync(Guid organisationId, MeasureActor actor, ObjectiveInput input, CancellationToken ct)
    {
        RequireManager(actor);
        var clean = await CleanAsync(organisationId, input, null, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockAsync($"objectives:{organisationId}", ct);
        var number = await db.Objectives.CountAsync(o => o.OrganisationId == organisationId, ct) + 1;
        var now = time.GetUtcNow();
        var objective = new Objective
        {
            Id = Guid.NewGuid(),
            OrganisationId = organisationId,
            Reference = string.Create(CultureInfo.InvariantCulture, $"OBJ-{number:000}"),
            CreatedAt = now,
        };
        Apply(objective, clean, now);
        db.Objectives.Add(objective);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return objective;
    }

    public async Task<Objective> UpdateAsync(Guid organisationId, Guid id, MeasureActor actor, ObjectiveInput input, CancellationToken ct)
    {
        RequireManager(actor);
        var objective = await GetAsync(organisationId, id, ct);
        var clean = await CleanAsync(organisationId, input, objective, ct);
        Apply(objective, clean, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return objective;
    }

    private async Task<IReadOnlyList<ObjectiveSummary>> SummariseAsync(Guid organisationId, IReadOnlyList<Objective> objectives, CancellationToken ct)
    {
        var measureIds = objectives.Select(o => o.MeasureId).OfType<Guid>().Distinct().ToList();
        var measures = await db.Measures.AsNoTracking().Where(m => m.OrganisationId == organisationId && measureIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        var latest = await MeasureService.LatestValuesAsync(db, measureIds, ct);
        var owners = objectives.Select(o => o.OwnerUserId).Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => (u.DisplayName, u.Email), ct);
        var today = Today;
        return [.. objectives.OrderBy(o => o.Reference, StringComparer.Ordinal).Select(o =>
        {
            var measure = o.MeasureId is { } m ? measures.GetValueOrDefault(m) : null;
            var value = measure is null ? null : latest.GetValueOrDefault(measure.Id);
            var target = o.Target ?? measure?.Target;
            var rating = measure is null ? MeasureRating.NoData
                : MeasureService.Rate(value?.Value, target, o.Target is null ? measure.Threshold : null, measure.Direction);
            var (name, email) = people.GetValueOrDefault(o.OwnerUserId);
            return new ObjectiveSummary(o, name ?? "", email, measure, value, target, rating, o.Status == ObjectiveStatus.Active && o.DueOn < today);
        })];
    }

    private sealed record Clean(string Title, string? Description, Guid Owner, Guid? Measure, double? Target, DateOnly DueOn, ObjectiveStatus Status, string? StatusNote);

    private async Task<Clean> CleanAsync(Guid organisationId, ObjectiveInput input, Objective? existing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var title = TextInput.Clean(input.Title, "title", Objective.TitleMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", Objective.TextMaxLength);
        var owner = input.OwnerUserId ?? throw UseCaseException.Invalid("owner", "Every objective has an owner who answers for it.");
        var role = await db.Memberships.ActiveOn(Today).Where(m => m.OrganisationId == organisationId && m.UserId == owner)
            .Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null or < OrgRole.Contributor)
        {
            throw UseCaseException.Invalid("owner", "The owner must be a current contributor, manager or admin of this organisation.");
        }

        if (input.MeasureId is { } measureId && !await db.Measures.AnyAsync(m => m.OrganisationId == organisationId && m.Id == measureId, ct))
        {
            throw UseCaseException.Invalid("measureId", "The measure must be one of this organisation's measures.");
        }

        if (input.Target is { } t && (double.IsNaN(t) || double.IsInfinity(t)))
        {
            throw UseCaseException.Invalid("target", "target must be a number.");
        }

        var due = input.DueOn ?? throw UseCaseException.Invalid("dueOn", "Say by when the objective is to be achieved (dueOn).");
        if (existing is null && due < Today)
        {
            throw UseCaseException.Invalid("dueOn", "A new objective is due today or later.");
        }

        var status = input.Status ?? existing?.Status ?? ObjectiveStatus.Active;
        if (!Enum.IsDefined(status))
        {
            throw UseCaseException.Invalid("status", "status must be active, achieved, not-achieved or withdrawn.");
        }

        var note = TextInput.Clean(input.StatusNote, "statusNote", Objective.TextMaxLength);
        if (status is ObjectiveStatus.NotAchieved or ObjectiveStatus.Withdrawn && note is null)
        {
            throw UseCaseException.Invalid("statusNote", "Say why the objective was not achieved or withdrawn (statusNote).");
        }

        return new Clean(title, description, owner, input.MeasureId, input.Target, due, status, note);
    }

    private static void Apply(Objective objective, Clean clean, DateTimeOffset now)
    {
        objective.Title = clean.Title;
        objective.Description = clean.Description;
        objective.OwnerUserId = clean.Owner;
        objective.MeasureId = clean.Measure;
        objective.Target = clean.Target;
        objective.DueOn = clean.DueOn;
        objective.Status = clean.Status;
        objective.StatusNote = clean.StatusNote;
        objective.UpdatedAt = now;
    }

    private static void RequireManager(MeasureActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsManager)
        {
            throw UseCaseException.Forbidden("Only an ISMS manager sets objectives.");
        }
    }
}
