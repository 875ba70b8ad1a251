using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Common;
using Perennial.Data;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

/// <summary>
/// One nonconformity: its facts, its whole timeline, every round, its corrective actions, and the
/// form for the next step of the loop. Each step is the workflow's own; a refused step shows the
/// workflow's reason and changes nothing.
/// </summary>
public sealed class DetailModel(
    CurrentOrg org, CurrentUser user, NonconformityWorkflow workflow, NonconformityRiskReview riskReview, NonconformityLog log, OrganisationService organisations, PerennialDbContext db, TimeProvider time)
    : PageModel
{
    /// <summary>Rows offered for the five whys; blank rows are ignored.</summary>
    public const int WhyRows = 5;

    public CurrentOrg Org => org;
    public Nonconformity Nc { get; private set; } = null!;
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();
    public IReadOnlyList<MemberSummary> Members { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Reference, string Title)> Risks { get; private set; } = [];
    public string? FindingReference { get; private set; }

    /// <summary>The other nonconformities of the recurrence window on the same clause or control, with this one; empty when it is the only one.</summary>
    public IReadOnlyList<RecurringMember> Recurring { get; private set; } = [];
    public RecurrenceWindow? Window { get; private set; }
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The owner or a manager steers the loop (containment, root cause, plan, cancel, close).</summary>
    public bool CanSteer { get; private set; }
    public bool IsManager => org.Can(OrgRole.Manager);
    public bool CanContribute => org.Can(OrgRole.Contributor);
    public Guid? UserId => user.Id;
    public NonconformityRound Current => Nc.Round(Nc.CurrentRound)!;

    public string Name(Guid? id) => id is { } g && Names.TryGetValue(g, out var n) ? n : "nobody";

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostContainAsync(Guid id, string? containment, DateOnly? containedOn, CancellationToken ct) =>
        ActAsync(id, "containment", () => workflow.ContainAsync(org.Id, id, Actor, containment, containedOn, ct), ct);

    public Task<IActionResult> OnPostAnalyseAsync(Guid id, string[]? why, string[]? because, string? rootCause, string? causeCategory, CancellationToken ct)
    {
        var questions = why ?? [];
        var answers = because ?? [];
        var steps = Enumerable.Range(0, Math.Max(questions.Length, answers.Length))
            .Select(i => new Why(i < questions.Length ? questions[i] ?? "" : "", i < answers.Length ? answers[i] ?? "" : ""))
            .Where(w => !string.IsNullOrWhiteSpace(w.Question) || !string.IsNullOrWhiteSpace(w.Because))
            .ToList();
        return ActAsync(id, "rootCause", () => workflow.AnalyseAsync(org.Id, id, Actor, steps, rootCause, causeCategory, ct), ct);
    }

    public Task<IActionResult> OnPostPlanAsync(Guid id, string? title, Guid? ownerUserId, DateOnly? dueOn, CancellationToken ct) =>
        ActAsync(id, "action", () => workflow.PlanAsync(org.Id, id, Actor,
            [new NewCorrectiveAction(title,
                ownerUserId ?? throw UseCaseException.Invalid("actions[0].ownerEmail", "Choose who owns the corrective action."),
                dueOn ?? throw UseCaseException.Invalid("actions[0].dueOn", "Give the date the corrective action is due."))], ct), ct);

    public Task<IActionResult> OnPostActionDoneAsync(Guid id, Guid actionId, string? note, CancellationToken ct) =>
        ActAsync(id, $"action-{actionId}", () => workflow.FinishActionAsync(org.Id, id, actionId, Actor, cancelled: false, note, ct), ct);

    public Task<IActionResult> OnPostActionCancelAsync(Guid id, Guid actionId, string? note, CancellationToken ct) =>
        ActAsync(id, $"action-{actionId}", () => workflow.FinishActionAsync(org.Id, id, actionId, Actor, cancelled: true, note, ct), ct);

    public Task<IActionResult> OnPostCheckAsync(Guid id, string? result, string? notes, CancellationToken ct) =>
        ActAsync(id, "check", () => workflow.CheckAsync(org.Id, id, Actor, NonconformityNames.ParseResult(result, "result"), notes, null, ct), ct);

    public Task<IActionResult> OnPostCloseAsync(Guid id, string? justification, CancellationToken ct) =>
        ActAsync(id, "justification", () => workflow.CloseAsync(org.Id, id, Actor, justification, ct), ct);

    /// <summary>Replaces the linked risks by the references given (R-001, R-002 …), separated by commas or spaces.</summary>
    public Task<IActionResult> OnPostRisksAsync(Guid id, string? references, CancellationToken ct) =>
        ActAsync(id, "references", async () =>
        {
            var wanted = (references ?? "").Split([',', ' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(r => r.ToUpperInvariant()).Distinct().ToList();
            var found = await db.Risks.AsNoTracking().Where(r => r.OrganisationId == org.Id && wanted.Contains(r.Reference)).Select(r => new { r.Id, r.Reference }).ToListAsync(ct);
            if (wanted.FirstOrDefault(w => found.All(f => f.Reference != w)) is { } unknown)
            {
                throw UseCaseException.Invalid("references", $"No risk {unknown} in this organisation.");
            }

            return await riskReview.LinkAsync(org.Id, id, Actor, [.. found.Select(f => f.Id)], ct);
        }, ct);

    public Task<IActionResult> OnPostRiskReviewAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, "riskReview", async () => (await riskReview.RequestAsync(org.Id, id, Actor, ct)).Nonconformity, ct);

    private NonconformityActor Actor => new(user.RequireId(), user.Email, org.Role);

    private async Task<IActionResult> ActAsync(Guid id, string field, Func<Task<Nonconformity>> step, CancellationToken ct)
    {
        try
        {
            await step();
            return Redirect($"/o/{org.Slug}/nonconformities/{id}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(field, e.Message);
            return await LoadAsync(id, ct) ? Page() : NotFound();
        }
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Nc = await workflow.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        CanSteer = user.Id is { } me && NonconformityWorkflow.CanSteer(Nc, new NonconformityActor(me, user.Email, org.Role));
        Members = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, PageRequest.MaxPageSize), ct)).Items.Where(m => m.Active && m.Role >= OrgRole.Contributor).ToList();
        var people = Nc.Actions.Select(a => (Guid?)a.OwnerUserId)
            .Append(Nc.OwnerUserId).Append(Nc.ClosedByUserId)
            .Concat(Nc.Rounds.SelectMany(r => new[] { r.AnalysedByUserId, r.CheckedByUserId }))
            .OfType<Guid>().Distinct().ToList();
        Names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        Timeline = NonconformityTimeline.Of(Nc, Names);
        var riskIds = Nc.Risks.Select(r => r.RiskId).ToList();
        Risks = riskIds.Count == 0 ? [] : (await db.Risks.AsNoTracking().Where(r => riskIds.Contains(r.Id)).OrderBy(r => r.Reference)
            .Select(r => new { r.Id, r.Reference, r.Title }).ToListAsync(ct)).Select(r => (r.Id, r.Reference, r.Title)).ToList();
        (Window, Recurring) = await log.SameIdentifierAsync(org.Id, Nc.Identifier, ct);
        FindingReference = Nc.AuditFindingId is { } f ? await db.AuditFindings.AsNoTracking().Where(x => x.Id == f).Select(x => x.Reference).FirstOrDefaultAsync(ct) : null;
        return true;
    }
}
