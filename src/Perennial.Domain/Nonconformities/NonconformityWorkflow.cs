using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;

namespace Perennial.Nonconformities;

/// <summary>Who acts on a nonconformity, with their role in its organisation.</summary>
public sealed record NonconformityActor(Guid UserId, string Name, OrgRole Role)
{
    public bool IsManager => Role >= OrgRole.Manager;
}

public sealed record RaiseNonconformity(
    string? Title, string? Description, NonconformitySeverity Severity, NonconformitySource Source, string? Identifier,
    Guid? OwnerUserId, DateOnly? DueOn, IReadOnlyList<Guid>? RiskIds = null, Guid? IncidentId = null);

public sealed record Why(string Question, string Because);

public sealed record NewCorrectiveAction(string? Title, Guid OwnerUserId, DateOnly DueOn);

/// <summary>
/// The corrective-action loop of ISO/IEC 27001 10.2: raised → contained → analysed → actions
/// planned → actions done → effectiveness check → closed. Each step is allowed from the states the
/// loop says; any other is refused (a conflict naming why) and changes nothing. A check that finds
/// the actions did not work opens the next round at root-cause analysis; every round is kept.
/// </summary>
public sealed class NonconformityWorkflow(PerennialDbContext db, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<Nonconformity> GetAsync(Guid organisationId, Guid id, CancellationToken ct) =>
        await db.Nonconformities
            .Include(n => n.Rounds.OrderBy(r => r.Number)).Include(n => n.Actions.OrderBy(a => a.Round).ThenBy(a => a.DueOn).ThenBy(a => a.Id)).Include(n => n.Risks)
            .AsSplitQuery()
            .FirstOrDefaultAsync(n => n.OrganisationId == organisationId && n.Id == id, ct)
        ?? throw UseCaseException.NotFound("No such nonconformity in this organisation.");

    public async Task<Nonconformity> RaiseAsync(Guid organisationId, NonconformityActor actor, RaiseNonconformity input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        var title = TextInput.Clean(input.Title, "title", Nonconformity.TitleMaxLength, required: true)!;
        var description = TextInput.Clean(input.Description, "description", Nonconformity.TextMaxLength);
        var identifier = TextInput.Clean(input.Identifier, "identifier", Nonconformity.IdentifierMaxLength);

        // "a.8.13" and "A.8.13" are one control: recurrence groups by the identifier as written in the catalogue.
        identifier = identifier is null ? null
            : InternalAudits.AuditableItems.All.FirstOrDefault(i => string.Equals(i.Identifier, identifier, StringComparison.OrdinalIgnoreCase))?.Identifier ?? identifier;
        if (input.OwnerUserId is { } owner)
        {
            await RequireMemberAsync(organisationId, owner, "ownerEmail", ct);
        }

        var riskIds = (input.RiskIds ?? []).Distinct().ToList();
        if (riskIds.Count > 0)
        {
            var known = await db.Risks.CountAsync(r => r.OrganisationId == organisationId && riskIds.Contains(r.Id), ct);
            if (known != riskIds.Count)
            {
                throw UseCaseException.Invalid("riskIds", "Every risk must be one of this organisation's risks.");
            }
        }

        if (input.IncidentId is { } incident && !await db.Incidents.AnyAsync(i => i.OrganisationId == organisationId && i.Id == incident, ct))
        {
            throw UseCaseException.Invalid("incidentId", "The incident must be one of this organisation's incidents.");
        }

        // Joins the caller's transaction when there is one (an audit result raises its nonconformity in its own).
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.LockAsync($"nonconformities:{organisationId}", ct);
        var nc = new Nonconformity
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            OrganisationId = organisationId,
            Reference = await NextReferenceAsync(organisationId, ct),
            Title = title,
            Description = description,
            Severity = input.Severity,
            Source = input.Source,
            Identifier = identifier,
            OwnerUserId = input.OwnerUserId,
            RaisedByUserId = actor.UserId,
            RaisedByName = actor.Name,
            RaisedAt = time.GetUtcNow(),
            DueOn = input.DueOn,
            IncidentId = input.IncidentId,
        };
        nc.Rounds.Add(NewRound(nc, 1));
        nc.Risks.AddRange(riskIds.Select(r => new NonconformityRisk { NonconformityId = nc.Id, RiskId = r }));
        db.Nonconformities.Add(nc);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return nc;
    }

    /// <summary>The next free NC-nnn of the organisation; call inside the organisation's nonconformity lock.</summary>
    internal async Task<string> NextReferenceAsync(Guid organisationId, CancellationToken ct)
    {
        var number = await db.Nonconformities.CountAsync(n => n.OrganisationId == organisationId, ct) + 1;
        var reference = $"NC-{number:000}";
        while (await db.Nonconformities.AnyAsync(n => n.OrganisationId == organisationId && n.Reference == reference, ct))
        {
            reference = $"NC-{++number:000}";
        }

        return reference;
    }

    internal static NonconformityRound NewRound(Nonconformity nc, int number) =>
        new() { Id = Guid.NewGuid(), OrganisationId = nc.OrganisationId, NonconformityId = nc.Id, Number = number };

    /// <summary>Records the immediate correction: raised → contained.</summary>
    public async Task<Nonconformity> ContainAsync(Guid organisationId, Guid id, NonconformityActor actor, string? containment, DateOnly? on, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        RequireOwnerOrManager(nc, actor, "record the containment");
        RequireStatus(nc, "record the containment", NonconformityStatus.Raised, NonconformityStatus.Contained);
        nc.Containment = TextInput.Clean(containment, "containment", Nonconformity.TextMaxLength, required: true);
        var date = on ?? Today;
        if (date > Today)
        {
            throw UseCaseException.Invalid("containedOn", "The containment date cannot be in the future.");
        }

        nc.ContainedOn = date;
        nc.Status = NonconformityStatus.Contained;
        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>Records the current round's root cause (five whys, or free text) and cause category: contained → analysed.</summary>
    public async Task<Nonconformity> AnalyseAsync(Guid organisationId, Guid id, NonconformityActor actor, IReadOnlyList<Why>? whys, string? rootCause, string? category, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        RequireOwnerOrManager(nc, actor, "record the root cause");
        RequireStatus(nc, "record the root cause", NonconformityStatus.Contained, NonconformityStatus.Analysed);
        var round = nc.Round(nc.CurrentRound)!;
        var steps = (whys ?? []).ToList();
        if (steps.Count > 0)
        {
            if (steps.Count > 10)
            {
                throw UseCaseException.Invalid("whys", "At most ten whys.");
            }

            for (var i = 0; i < steps.Count; i++)
            {
                TextInput.Clean(steps[i].Question, $"whys[{i}].why", 1000, required: true);
                TextInput.Clean(steps[i].Because, $"whys[{i}].because", 1000, required: true);
            }

            round.Method = RootCauseMethod.FiveWhys;
            round.Whys = JsonSerializer.Serialize(steps.Select(w => new Why(w.Question.Trim(), w.Because.Trim())), Json);
            // The last "because" is the root cause unless one is written out.
            round.RootCause = TextInput.Clean(rootCause, "rootCause", Nonconformity.TextMaxLength) ?? steps[^1].Because.Trim();
        }
        else
        {
            round.Method = RootCauseMethod.FreeText;
            round.Whys = null;
            round.RootCause = TextInput.Clean(rootCause, "rootCause", Nonconformity.TextMaxLength, required: true);
        }

        round.CauseCategory = TextInput.Clean(category, "causeCategory", 50);
        round.AnalysedAt = time.GetUtcNow();
        round.AnalysedByUserId = actor.UserId;
        nc.Status = NonconformityStatus.Analysed;
        await db.SaveChangesAsync(ct);
        return nc;
    }

    public static IReadOnlyList<Why> WhysOf(NonconformityRound round) =>
        round.Whys is null ? [] : JsonSerializer.Deserialize<List<Why>>(round.Whys, Json) ?? [];

    /// <summary>Adds corrective actions to the current round: analysed → actions planned (more may follow while planned).</summary>
    public async Task<Nonconformity> PlanAsync(Guid organisationId, Guid id, NonconformityActor actor, IReadOnlyList<NewCorrectiveAction> actions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var nc = await GetAsync(organisationId, id, ct);
        RequireOwnerOrManager(nc, actor, "plan corrective actions");
        RequireStatus(nc, "plan corrective actions", NonconformityStatus.Analysed, NonconformityStatus.Planned);
        if (actions.Count == 0 || actions.Count > 20)
        {
            throw UseCaseException.Invalid("actions", "Plan between one and twenty corrective actions at a time.");
        }

        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            var title = TextInput.Clean(a.Title, $"actions[{i}].title", CorrectiveAction.TitleMaxLength, required: true)!;
            await RequireMemberAsync(organisationId, a.OwnerUserId, $"actions[{i}].ownerEmail", ct);
            if (a.DueOn < Today)
            {
                throw UseCaseException.Invalid($"actions[{i}].dueOn", "A corrective action cannot be due in the past.");
            }

            // Added through the set: a child with its key already set, added to a tracked parent's list, would be taken for an existing row.
            var action = new CorrectiveAction
            {
                Id = Guid.NewGuid(),
                OrganisationId = organisationId,
                NonconformityId = nc.Id,
                Round = nc.CurrentRound,
                Title = title,
                OwnerUserId = a.OwnerUserId,
                DueOn = a.DueOn,
                CreatedAt = time.GetUtcNow(),
            };
            db.CorrectiveActions.Add(action);
        }

        nc.Status = NonconformityStatus.Planned;
        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>
    /// Marks a corrective action done (or cancelled). When none of the round is left open and at least
    /// one is done, the round's actions are done and its effectiveness check is scheduled.
    /// </summary>
    public async Task<Nonconformity> FinishActionAsync(Guid organisationId, Guid id, Guid actionId, NonconformityActor actor, bool cancelled, string? note, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        var action = nc.Actions.FirstOrDefault(a => a.Id == actionId) ?? throw UseCaseException.NotFound("No such corrective action on this nonconformity.");
        if (cancelled ? !CanSteer(nc, actor) : action.OwnerUserId != actor.UserId && !actor.IsManager)
        {
            throw UseCaseException.Forbidden(cancelled
                ? "Only the nonconformity's owner or a manager may cancel a corrective action."
                : "Only the action's owner or a manager may mark it done.");
        }

        if (action.Status != CorrectiveActionStatus.Open)
        {
            throw UseCaseException.Conflict("status", $"The action is already {action.Status.Name()}.");
        }

        RequireStatus(nc, cancelled ? "cancel a corrective action" : "mark a corrective action done", NonconformityStatus.Planned);
        action.Status = cancelled ? CorrectiveActionStatus.Cancelled : CorrectiveActionStatus.Done;
        action.DoneOn = cancelled ? null : Today;
        action.Note = TextInput.Clean(note, "note", Nonconformity.TextMaxLength, required: cancelled);
        var round = nc.Actions.Where(a => a.Round == nc.CurrentRound).ToList();
        if (round.All(a => a.Status != CorrectiveActionStatus.Open) && round.Any(a => a.Status == CorrectiveActionStatus.Done))
        {
            var settings = await db.NonconformitySettings.AsNoTracking().FirstOrDefaultAsync(s => s.OrganisationId == organisationId, ct);
            var current = nc.Round(nc.CurrentRound)!;
            current.ActionsDoneOn = round.Where(a => a.DoneOn != null).Max(a => a.DoneOn);
            current.CheckDueOn = current.ActionsDoneOn!.Value.AddDays(settings?.EffectivenessCheckDays ?? NonconformitySettings.DefaultEffectivenessCheckDays);
            nc.Status = NonconformityStatus.Done;
        }
        else if (round.All(a => a.Status == CorrectiveActionStatus.Cancelled))
        {
            // Nothing was done: the round needs new actions before its check can be scheduled.
            nc.Status = NonconformityStatus.Analysed;
        }

        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>
    /// Records the effectiveness check of the current round, by someone other than the round's action
    /// owners. Effective: ready to close. Not effective: the next round starts at root-cause analysis.
    /// </summary>
    public async Task<Nonconformity> CheckAsync(Guid organisationId, Guid id, NonconformityActor actor, EffectivenessResult result, string? notes, IReadOnlyList<Guid>? evidenceIds, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        if (actor.Role < OrgRole.Contributor)
        {
            throw UseCaseException.Forbidden("Auditors read the loop; a contributor or manager records the effectiveness check.");
        }

        RequireStatus(nc, "record the effectiveness check", NonconformityStatus.Done, NonconformityStatus.Checking);
        var round = nc.Round(nc.CurrentRound)!;
        if (round.CheckResult is not null)
        {
            throw UseCaseException.Conflict("status", "This round's effectiveness check is already recorded; close the nonconformity.");
        }

        var own = nc.Actions.FirstOrDefault(a => a.Round == nc.CurrentRound && a.OwnerUserId == actor.UserId && a.Status == CorrectiveActionStatus.Done);
        if (own is not null)
        {
            throw UseCaseException.Forbidden($"You own the corrective action “{own.Title}”: its effectiveness is checked by someone else.");
        }

        var evidence = (evidenceIds ?? []).Distinct().ToList();
        if (evidence.Count > 0 && await db.EvidenceItems.CountAsync(e => e.OrganisationId == organisationId && evidence.Contains(e.Id), ct) != evidence.Count)
        {
            throw UseCaseException.Invalid("evidenceIds", "Every evidence item must be one of this organisation's.");
        }

        round.CheckResult = result;
        round.CheckNotes = TextInput.Clean(notes, "notes", Nonconformity.TextMaxLength, required: result == EffectivenessResult.NotEffective);
        round.CheckedAt = time.GetUtcNow();
        round.CheckedByUserId = actor.UserId;
        round.CheckEvidence = evidence.Count == 0 ? null : JsonSerializer.Serialize(evidence, Json);
        if (result == EffectivenessResult.Effective)
        {
            nc.Status = NonconformityStatus.Checking;
        }
        else
        {
            nc.CurrentRound++;
            var next = NewRound(nc, nc.CurrentRound);
            db.NonconformityRounds.Add(next);
            nc.Status = NonconformityStatus.Contained;
        }

        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>
    /// Closes the nonconformity once its effectiveness check found the actions effective; a manager may
    /// close it earlier only with a justification, which the log shows.
    /// </summary>
    public async Task<Nonconformity> CloseAsync(Guid organisationId, Guid id, NonconformityActor actor, string? justification, CancellationToken ct)
    {
        var nc = await GetAsync(organisationId, id, ct);
        RequireOwnerOrManager(nc, actor, "close it");
        if (nc.Status == NonconformityStatus.Closed)
        {
            throw UseCaseException.Conflict("status", "The nonconformity is already closed.");
        }

        var verified = nc.Status == NonconformityStatus.Checking && nc.Round(nc.CurrentRound)?.CheckResult == EffectivenessResult.Effective;
        var reason = TextInput.Clean(justification, "justification", Nonconformity.TextMaxLength);
        if (!verified)
        {
            if (reason is null)
            {
                throw UseCaseException.Conflict("status",
                    $"It is {nc.Status.Name()} ({nc.Status.Label().ToLowerInvariant()}): it closes once an effectiveness check finds the corrective action effective, or a manager closes it with a justification.");
            }

            if (!actor.IsManager)
            {
                throw UseCaseException.Forbidden("Only a manager may close a nonconformity without an effective check.");
            }
        }

        nc.Status = NonconformityStatus.Closed;
        nc.ClosedAt = time.GetUtcNow();
        nc.ClosedByUserId = actor.UserId;
        nc.ClosureJustification = verified ? null : reason;
        await db.SaveChangesAsync(ct);
        return nc;
    }

    /// <summary>Moves every nonconformity whose scheduled effectiveness check has come due to "effectiveness check".</summary>
    public async Task<int> StartDueChecksAsync(CancellationToken ct)
    {
        var today = Today;
        var due = await db.Nonconformities
            .Where(n => n.Status == NonconformityStatus.Done
                && db.NonconformityRounds.Any(r => r.NonconformityId == n.Id && r.Number == n.CurrentRound && r.CheckDueOn <= today))
            .ToListAsync(ct);
        foreach (var nc in due)
        {
            nc.Status = NonconformityStatus.Checking;
        }

        if (due.Count > 0)
        {
            await db.SaveChangesAsync(ct);
        }

        return due.Count;
    }

    /// <summary>The nonconformity's owner (a contributor or more) or a manager steers the loop.</summary>
    public static bool CanSteer(Nonconformity nc, NonconformityActor actor) => actor.IsManager || (nc.OwnerUserId == actor.UserId && actor.Role >= OrgRole.Contributor);

    private static void RequireOwnerOrManager(Nonconformity nc, NonconformityActor actor, string what)
    {
        if (!CanSteer(nc, actor))
        {
            throw UseCaseException.Forbidden($"Only the nonconformity's owner or a manager may {what}.");
        }
    }

    private static void RequireStatus(Nonconformity nc, string what, params NonconformityStatus[] allowed)
    {
        if (!allowed.Contains(nc.Status))
        {
            throw UseCaseException.Conflict("status",
                $"Cannot {what}: {nc.Reference} is {nc.Status.Name()}; that step is taken when it is {string.Join(" or ", allowed.Select(s => s.Name()))}.");
        }
    }

    private async Task RequireMemberAsync(Guid organisationId, Guid userId, string field, CancellationToken ct)
    {
        var role = await db.Memberships.Where(m => m.OrganisationId == organisationId && m.UserId == userId).Select(m => (OrgRole?)m.Role).FirstOrDefaultAsync(ct);
        if (role is null or < OrgRole.Contributor)
        {
            throw UseCaseException.Invalid(field, "The person must be a contributor, manager or admin of this organisation.");
        }
    }
}
