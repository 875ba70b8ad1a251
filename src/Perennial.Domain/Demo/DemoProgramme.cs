using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Data;
using Perennial.Evidence.Storage;
using Perennial.Improvements;
using Perennial.InternalAudits;
using Perennial.Nonconformities;
using Perennial.Organisations;

namespace Perennial.Demo;

/// <summary>
/// The demo's Check and Act: an internal audit programme for the current cycle with two audits held
/// (signed-off reports, a sample, one minor nonconformity and one opportunity for improvement) and
/// one planned, leaving deliberate gaps the coverage matrix shows; and nonconformities in every
/// state of the loop, one of them reopened after a failed effectiveness check.
/// </summary>
internal sealed class DemoProgramme(PerennialDbContext db, TimeProvider time, IEvidenceStore files)
{
    private const string Manager = "isms.manager@perennial.example";
    private const string Auditor = "internal.auditor@perennial.example";
    private const string ItAdmin = "it.admin@perennial.example";
    private const string HrLead = "hr.lead@perennial.example";
    private const string EngLead = "eng.lead@perennial.example";

    /// <summary>The controls the planned third audit covers; the rest of A.5.21–A.5.37 and A.8.29–A.8.34 stay gaps.</summary>
    public static readonly IReadOnlyList<string> ThirdScope = ["A.8.21", "A.8.22", "A.8.23", "A.8.24", "A.8.25", "A.8.26", "A.8.27", "A.8.28"];

    public async Task SeedAsync(Guid organisationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var people = await db.Memberships.Where(m => m.OrganisationId == organisationId)
            .Select(m => new { m.UserId, m.User!.Email, m.User.DisplayName, m.Role }).ToListAsync(ct);
        var who = people.ToDictionary(p => p.Email!, StringComparer.OrdinalIgnoreCase);
        InternalAuditActor Planner(DateTimeOffset _) => new(who[Manager].UserId, OrgRole.Manager);
        ChecklistActor Lena() => new(who[Auditor].UserId, who[Auditor].Email!, OrgRole.Auditor);
        NonconformityActor Person(string email) => new(who[email].UserId, email, who[email].Role);

        var clauses = AuditableItems.Clauses.Select(c => c.Identifier).ToList();
        var controls = AuditableItems.All.Where(i => i.Kind == ScopeItemKind.Control).Select(i => i.Identifier).ToList();
        List<string> Range(string prefix, int from, int to) => [.. Enumerable.Range(from, to - from + 1).Select(n => $"{prefix}{n}").Where(controls.Contains)];

        // IA-001, five months ago: clauses 4 to 7 and the first organisational controls.
        var first = await AuditAsync(organisationId, now.AddMonths(-5), Planner, Lena(), "Context, leadership, planning, support and organisational controls",
            [.. clauses.Where(c => c[0] is '4' or '5' or '6' or '7'), .. Range("A.5.", 1, 20)],
            new Dictionary<string, (ChecklistResult Result, string Notes)>(StringComparer.Ordinal)
            {
                ["A.5.18"] = (ChecklistResult.MinorNonconformity, "Two leavers kept VPN access for a week after their last day."),
                ["A.5.7"] = (ChecklistResult.Improvement, "Threat intelligence could feed the risk register automatically instead of by hand."),
            }, 20260105, ct);

        // IA-002, two months ago: clauses 8 to 10, people, physical and the first technological controls.
        await AuditAsync(organisationId, now.AddMonths(-2), Planner, Lena(), "Operation, evaluation, improvement and technical controls",
            [.. clauses.Where(c => c[0] is '8' or '9' || c.StartsWith("10", StringComparison.Ordinal)), .. Range("A.6.", 1, 8), .. Range("A.7.", 1, 14), .. Range("A.8.", 1, 20)],
            new Dictionary<string, (ChecklistResult Result, string Notes)>(StringComparer.Ordinal)
            {
                ["A.7.7"] = (ChecklistResult.Observation, "Two desks had papers left out overnight; nothing confidential."),
            }, 20260306, ct);

        // IA-003, planned in two months.
        await Service(now).PlanAsync(organisationId, Planner(now), new InternalAuditInput(
            "Development and operations controls", null, today.AddMonths(2), today.AddMonths(2).AddDays(1), who[Auditor].UserId, [], "ISO/IEC 27001:2022 and the secure development policy",
            ThirdScope, ["Engineering"]), ct);

        // The nonconformity IA-001 raised goes through the loop; its effectiveness check is now due.
        var fromAudit = await db.Nonconformities.Where(n => n.InternalAuditId == first).Select(n => n.Id).SingleAsync(ct);
        await LoopAsync(organisationId, fromAudit, now.AddMonths(-5).AddDays(3), Person(Manager), Person(ItAdmin), Person(HrLead), "Stop VPN access on the last working day", checkEffective: null, ct);

        // One in every other state.
        await RaiseAsync(organisationId, now.AddDays(-3), Person(Manager), "Server room door found propped open", "A.7.3", NonconformitySeverity.Minor, Person(ItAdmin), ct);
        var contained = await RaiseAsync(organisationId, now.AddDays(-12), Person(Manager), "Laptop found without disk encryption", "A.8.1", NonconformitySeverity.Major, Person(ItAdmin), ct);
        await Workflow(now.AddDays(-11)).ContainAsync(organisationId, contained, Person(ItAdmin), "The laptop was encrypted and its owner's passwords reset.", DateOnly.FromDateTime(now.AddDays(-11).UtcDateTime), ct);
        var analysed = await RaiseAsync(organisationId, now.AddDays(-20), Person(Manager), "Supplier contract signed without security clauses", "A.5.20", NonconformitySeverity.Minor, Person(Manager), ct);
        await Workflow(now.AddDays(-19)).ContainAsync(organisationId, analysed, Person(Manager), "The supplier signed the security annex.", null, ct);
        await Workflow(now.AddDays(-15)).AnalyseAsync(organisationId, analysed, Person(Manager), null, "Purchasing did not know the security annex exists.", "process", ct);
        var planned = await RaiseAsync(organisationId, now.AddDays(-30), Person(Manager), "Backup restore test not documented", "A.8.13", NonconformitySeverity.Minor, Person(EngLead), ct);
        await Workflow(now.AddDays(-29)).ContainAsync(organisationId, planned, Person(EngLead), "A restore was run and written up.", null, ct);
        await Workflow(now.AddDays(-25)).AnalyseAsync(organisationId, planned, Person(EngLead),
            [new Why("Why was the test not documented?", "The runbook has no step for it"), new Why("Why has the runbook no step?", "It predates the restore test")], null, "documentation", ct);
        await Workflow(now.AddDays(-24)).PlanAsync(organisationId, planned, Person(EngLead), [new NewCorrectiveAction("Add a write-up step to the restore runbook", who[EngLead].UserId, today.AddDays(10))], ct);
        var done = await RaiseAsync(organisationId, now.AddDays(-50), Person(Manager), "Visitor log incomplete at reception", "A.7.2", NonconformitySeverity.Minor, Person(HrLead), ct);
        await LoopAsync(organisationId, done, now.AddDays(-49), Person(HrLead), Person(HrLead), Person(Manager), "Visitors sign in on the tablet at reception", checkEffective: null, ct, settle: false);
        var closed = await RaiseAsync(organisationId, now.AddMonths(-4), Person(Manager), "Production change made without approval", "A.8.32", NonconformitySeverity.Major, Person(EngLead), ct);
        await LoopAsync(organisationId, closed, now.AddMonths(-4).AddDays(1), Person(EngLead), Person(EngLead), Person(Manager), "Require an approved change record before deploying", checkEffective: true, ct);
        var reopened = await RaiseAsync(organisationId, now.AddMonths(-4).AddDays(5), Person(Manager), "New starters missed the phishing training", "A.6.3", NonconformitySeverity.Minor, Person(HrLead), ct);
        await LoopAsync(organisationId, reopened, now.AddMonths(-4).AddDays(6), Person(HrLead), Person(HrLead), Person(Manager), "Send the training link on the first day", checkEffective: false, ct);
    }

    private async Task<Guid> AuditAsync(
        Guid organisationId, DateTimeOffset heldAt, Func<DateTimeOffset, InternalAuditActor> planner, ChecklistActor lead, string title, IReadOnlyList<string> scope,
        Dictionary<string, (ChecklistResult Result, string Notes)> findings, int seed, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(heldAt.UtcDateTime);
        var plannedAt = heldAt.AddDays(-30);
        var audit = await Service(plannedAt).PlanAsync(organisationId, planner(plannedAt), new InternalAuditInput(
            title, null, day, day.AddDays(1), lead.UserId, [], "ISO/IEC 27001:2022, the ISMS policy and the procedures in scope", scope, null), ct);
        var checklist = Checklist(heldAt);
        await checklist.StartAsync(organisationId, audit.Id, lead, null, null, ct);
        var items = await checklist.ChecklistAsync(organisationId, audit.Id, ct);
        var sampled = items.SelectMany(i => i.Activities.Where(a => a.Range is not null && a.Occurrences.Any(o => o.Outcome is OccurrenceOutcome.OnTime or OccurrenceOutcome.Late or OccurrenceOutcome.Missed)).Select(a => (i.Item.Id, a.Id))).FirstOrDefault();
        if (sampled != default)
        {
            await checklist.DrawSampleAsync(organisationId, audit.Id, sampled.Item1, sampled.Item2, lead, seed, ct);
        }

        var recording = Checklist(heldAt.AddHours(5));
        foreach (var item in items)
        {
            var (result, notes) = findings.TryGetValue(item.Item.Identifier, out var f) ? f : (ChecklistResult.Conforming, "Records and interviews matched the procedure.");
            await recording.RecordAsync(organisationId, audit.Id, item.Item.Id, lead, result, notes, null, ct);
        }

        await Checklist(heldAt.AddDays(2)).SignOffAsync(organisationId, audit.Id, lead, ct);
        return audit.Id;
    }

    /// <summary>Contains, analyses, plans one action, finishes it and, when asked, records the check (effective or not) a check delay later.</summary>
    private async Task LoopAsync(
        Guid organisationId, Guid id, DateTimeOffset start, NonconformityActor steer, NonconformityActor actionOwner, NonconformityActor checker, string action,
        bool? checkEffective, CancellationToken ct, bool settle = true)
    {
        await Workflow(start).ContainAsync(organisationId, id, steer, "Immediate correction made and checked.", null, ct);
        await Workflow(start.AddDays(2)).AnalyseAsync(organisationId, id, steer, [new Why("Why did it happen?", "The step was nobody's job"), new Why("Why was it nobody's job?", "The procedure did not name an owner")], null, "process", ct);
        var nc = await Workflow(start.AddDays(3)).PlanAsync(organisationId, id, steer, [new NewCorrectiveAction(action, actionOwner.UserId, DateOnly.FromDateTime(start.AddDays(20).UtcDateTime))], ct);
        var actionId = nc.Actions.Single(a => a.Round == nc.CurrentRound).Id;
        await Workflow(start.AddDays(settle ? 18 : 40)).FinishActionAsync(organisationId, id, actionId, actionOwner, false, "Done and announced.", ct);
        if (checkEffective is { } effective)
        {
            var checkAt = start.AddDays(18 + NonconformitySettings.DefaultEffectivenessCheckDays);
            await Workflow(checkAt).CheckAsync(organisationId, id, checker, effective ? EffectivenessResult.Effective : EffectivenessResult.NotEffective,
                effective ? "Sampled the period since: no repeat." : "Two starters in the next intake still missed it: the link was sent but not followed up.", null, ct);
            if (effective)
            {
                await Workflow(checkAt.AddDays(1)).CloseAsync(organisationId, id, steer, null, ct);
            }
        }

        await Workflow(time.GetUtcNow()).StartDueChecksAsync(ct);
    }

    private async Task<Guid> RaiseAsync(Guid organisationId, DateTimeOffset at, NonconformityActor raiser, string title, string identifier, NonconformitySeverity severity, NonconformityActor owner, CancellationToken ct) =>
        (await Workflow(at).RaiseAsync(organisationId, raiser, new RaiseNonconformity(title, null, severity, NonconformitySource.Manual, identifier, owner.UserId, null), ct)).Id;

    private NonconformityWorkflow Workflow(DateTimeOffset at) => new(db, new DemoClock(at));

    private InternalAuditService Service(DateTimeOffset at)
    {
        var clock = new DemoClock(at);
        return new(db, clock, new ActivityService(db, clock), new OccurrenceService(db, clock, files));
    }

    private ChecklistService Checklist(DateTimeOffset at)
    {
        var clock = new DemoClock(at);
        return new ChecklistService(db, clock, new NonconformityWorkflow(db, clock), new ImprovementRegister(db, clock), new InternalAuditReport(db), new OccurrenceService(db, clock, files), new AuditSignals(db));
    }
}
