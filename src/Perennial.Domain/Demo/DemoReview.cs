using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.ManagementReviews;
using Perennial.Measurement;
using Perennial.OrganisationContext;
using Perennial.Organisations;

namespace Perennial.Demo;

/// <summary>
/// The demo's management system at the top: a context register with a history of changes, objectives
/// tracked by measures with a year of weekly computed values and one entered measure that is off
/// target, a management review held six months ago with minutes and two decisions (one done, one
/// still open), and the next review scheduled with its pack building from the live records.
/// </summary>
internal sealed class DemoReview(PerennialDbContext db, TimeProvider time, EvidenceService evidence)
{
    private const string Manager = "isms.manager@perennial.example";
    private const string ItAdmin = "it.admin@perennial.example";
    private const string HrLead = "hr.lead@perennial.example";
    private const string EngLead = "eng.lead@perennial.example";

    public async Task SeedAsync(Guid organisationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var who = await db.Memberships.Where(m => m.OrganisationId == organisationId)
            .Select(m => new { m.UserId, m.User!.Email, m.User.DisplayName }).ToDictionaryAsync(m => m.Email!, StringComparer.OrdinalIgnoreCase, ct);
        var manager = who[Manager];

        // The context register, entered eleven months ago and kept up since.
        ContextRegister Register(DateTimeOffset at) => new(db, new DemoClock(at));
        var actor = new ContextActor(manager.UserId, manager.DisplayName, OrgRole.Manager);
        var start = now.AddMonths(-11);
        await Register(start).CreateAsync(organisationId, actor, new ContextInput(ContextKind.ExternalIssue, "Climate change",
            "Heatwaves strain the cooling of the co-location site; the provider's resilience plan and a second region cover it.", "environment", true, true, who[ItAdmin].UserId, 12, null), ct);
        var regulation = await Register(start).CreateAsync(organisationId, actor, new ContextInput(ContextKind.ExternalIssue, "Operational-resilience rules for financial clients",
            "Financial-sector clients must show their suppliers' resilience; the draft rules reach us through their contracts.", "legal", false, true, manager.UserId, 6, null), ct);
        await Register(start).CreateAsync(organisationId, actor, new ContextInput(ContextKind.InternalIssue, "Platform knowledge held by two engineers",
            "Two engineers hold most knowledge of the data platform.", "people", false, true, who[EngLead].UserId, 6, null), ct);
        var customers = await Register(start).CreateAsync(organisationId, actor, new ContextInput(ContextKind.InterestedParty, "Enterprise customers", null, "customers", false, true, manager.UserId, 12,
            [new RequirementInput("Proof of certification every year", true, "Certificate and SoA shared on request"),
             new RequirementInput("Breach notice within 48 hours", true, "Incident procedure and contract clause")]), ct);
        await Register(start).CreateAsync(organisationId, actor, new ContextInput(ContextKind.InterestedParty, "Data protection authority", null, "regulator", false, true, who[HrLead].UserId, 12,
            [new RequirementInput("Personal-data breach notified within 72 hours", true, "Incident procedure, step 4")]), ct);
        await Register(now.AddMonths(-5)).UpdateAsync(organisationId, regulation.Id, actor, new ContextInput(null, regulation.Title,
            "The rules were adopted and apply from next year; two clients have asked for our resilience test results.", "legal", false, true, manager.UserId, 6, null),
            "Rules adopted", ct);
        await Register(now.AddMonths(-2)).ReviewAsync(organisationId, customers.Id, actor, "Customers now ask for a SOC 2 mapping next to the certificate", ct);

        // Measures: the built-in ones computed weekly over the last year; an entered one that is off target.
        var measures = new MeasureService(db, time, new BuiltInMeasures(db));
        for (var week = 52; week >= 0; week--)
        {
            await measures.RecomputeAsync(organisationId, today.AddDays(-7 * week), ct);
        }

        var measureActor = new MeasureActor(manager.UserId, OrgRole.Manager);
        var phishing = await measures.CreateAsync(organisationId, measureActor, new MeasureInput("Phishing simulation click rate",
            "The share of staff who clicked the link in the month's phishing simulation.", "Simulation tool report, clicks divided by recipients", MeasureFrequency.Monthly,
            who[HrLead].UserId, "%", MeasureDirection.LowerIsBetter, 5, 7), ct);
        double[] clicks = [18, 16, 15, 14, 13, 12, 12, 11, 10, 10, 9, 9];
        await measures.RecordAsync(organisationId, phishing.Id, new MeasureActor(who[HrLead].UserId, OrgRole.Contributor),
            [.. clicks.Select((v, i) => new ValueInput(today.AddMonths(i - clicks.Length + 1), v, i == 6 ? "After the first awareness session" : null))], ct);
        var keys = await db.Measures.Where(m => m.OrganisationId == organisationId && m.Key != null).ToDictionaryAsync(m => m.Key!, m => m.Id, ct);
        var objectives = new ObjectiveService(db, new DemoClock(now.AddMonths(-11)));
        var endOfYear = new DateOnly(today.Year, 12, 31) > today ? new DateOnly(today.Year, 12, 31) : today.AddMonths(6);
        await objectives.CreateAsync(organisationId, measureActor, new ObjectiveInput("Recurring controls done on time", "Every recurring activity completed by its due date.",
            manager.UserId, keys[BuiltInMeasures.OccurrencesOnTime], 95, endOfYear, null, null), ct);
        await objectives.CreateAsync(organisationId, measureActor, new ObjectiveInput("Fewer clicks on phishing", "Staff recognise phishing: at most 5 % click in the simulation.",
            who[HrLead].UserId, phishing.Id, 5, endOfYear, null, null), ct);
        await objectives.CreateAsync(organisationId, measureActor, new ObjectiveInput("No corrective action left overdue", null,
            manager.UserId, keys[BuiltInMeasures.OverdueCorrectiveActions], 0, endOfYear, null, null), ct);

        // The review held six months ago, its minutes and decisions.
        ManagementReviewService Reviews(DateTimeOffset at)
        {
            var clock = new DemoClock(at);
            return new ManagementReviewService(db, clock, new ReviewPackBuilder(db, new BuiltInMeasures(db), new ContextRegister(db, clock)), evidence);
        }

        var reviewer = new ReviewActor(manager.UserId, OrgRole.Manager);
        var heldAt = now.AddMonths(-6);
        var heldOn = DateOnly.FromDateTime(heldAt.UtcDateTime);
        var held = await Reviews(heldAt.AddDays(-21)).ScheduleAsync(organisationId, reviewer, new ReviewInput("Annual management review", heldOn, "Board room",
            manager.UserId, [who[ItAdmin].UserId, who[HrLead].UserId, who[EngLead].UserId], heldOn.AddYears(-1)), ct);
        await Reviews(heldAt).HoldAsync(organisationId, held.Id, reviewer, ct);
        var minutes = new Dictionary<string, string>
        {
            ["d1"] = "Leavers keeping access is the recurring theme; HR and IT agree to automate the leaver checklist.",
            ["d2"] = "On-time completion is below target; owners are reminded that skipping needs approval.",
            ["f"] = "The risk owners confirmed the treatment plan; the insider risk stays accepted for now.",
            ["general"] = "The ISMS remains suitable and adequate; effectiveness depends on closing the access findings.",
        };
        foreach (var (input, text) in minutes)
        {
            await Reviews(heldAt).RecordMinutesAsync(organisationId, held.Id, reviewer, input, text, ct);
        }

        var drill = await Reviews(heldAt).DecideAsync(organisationId, held.Id, reviewer, new DecisionInput(DecisionKind.Improvement, "d2",
            "Run a phishing drill every quarter", null, who[HrLead].UserId, heldOn.AddMonths(3)), ct);
        await Reviews(heldAt).DecideAsync(organisationId, held.Id, reviewer, new DecisionInput(DecisionKind.IsmsChange, "d1",
            "Automate the joiners-movers-leavers checklist", "IT to trigger account removal from the HR system's leaver record.", who[ItAdmin].UserId, today.AddDays(30)), ct);
        await Reviews(heldAt.AddMonths(3).AddDays(-4)).CompleteDecisionAsync(organisationId, drill.Id, new ReviewActor(who[HrLead].UserId, OrgRole.Contributor),
            "Quarterly drills booked with the simulation tool; the first ran last week.", ct);

        // The next review, three weeks from now: its pack builds from the live records until it is held.
        await Reviews(now).ScheduleAsync(organisationId, reviewer, new ReviewInput("Management review before the surveillance audit", today.AddDays(21), "Board room",
            manager.UserId, [who[ItAdmin].UserId, who[HrLead].UserId, who[EngLead].UserId], null), ct);
    }
}
