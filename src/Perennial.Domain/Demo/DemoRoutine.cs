using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.AuditTrail;
using Perennial.Data;
using Perennial.Nonconformities;

namespace Perennial.Demo;

/// <summary>
/// The demo organisation's year of routine: every template's activity, started up to a year ago
/// with its past occurrences, owned by the people who would do the work. The past is written as it
/// happened, at the instants it happened: most occurrences completed on time with their evidence,
/// some late, one skipped with the ISMS manager's approval, and one privileged access review
/// missed, whose nonconformity is raised when the seeding finishes.
/// </summary>
internal sealed class DemoRoutine(PerennialDbContext db, TimeProvider time, Evidence.Storage.IEvidenceStore files)
{
    public const string TimeZone = "Europe/Lisbon";
    public const string SkipReason = "The vulnerability scanner was being replaced that month; the next scan covered both months. Approved by the ISMS manager.";

    private const string Manager = "isms.manager@perennial.example";
    private const string ItAdmin = "it.admin@perennial.example";
    private const string HrLead = "hr.lead@perennial.example";
    private const string EngLead = "eng.lead@perennial.example";

    // template, owner, deputy, first due date in days after "a year ago"
    private static readonly (string Template, string Owner, string? Deputy, int StartDay)[] Plan =
    [
        ("user-access-review", ItAdmin, Manager, 15),
        ("privileged-access-review", ItAdmin, EngLead, 30),
        ("backup-restore-test", ItAdmin, EngLead, 45),
        ("vulnerability-scan", EngLead, ItAdmin, 7),
        ("supplier-review", Manager, HrLead, 65),
        ("awareness-training", HrLead, Manager, 85),
        ("policy-review", Manager, null, 115),
        ("risk-assessment-review", Manager, null, 155),
        ("soa-review", Manager, null, 160),
        ("business-continuity-test", EngLead, ItAdmin, 185),
        ("incident-response-exercise", EngLead, ItAdmin, 245),
        ("internal-audit", Manager, null, 305),
        ("management-review", Manager, null, 325),
        ("external-audit", Manager, null, 0),
    ];

    public async Task SeedAsync(Guid organisationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(now, TimeZone));
        var yearAgo = today.AddYears(-1);
        var members = await db.Memberships.Where(m => m.OrganisationId == organisationId)
            .Select(m => new { m.UserId, m.User!.Email, m.Role }).ToListAsync(ct);
        var member = members.ToDictionary(m => m.Email!, StringComparer.OrdinalIgnoreCase);

        var activities = new ActivityService(db, time);
        var created = new List<Activity>();
        foreach (var (template, owner, deputy, startDay) in Plan)
        {
            var made = await activities.CreateFromTemplatesAsync(organisationId, [template], member[owner].UserId, yearAgo.AddDays(startDay), TimeZone, ct, includePast: true);
            foreach (var activity in made)
            {
                if (deputy is not null)
                {
                    await activities.UpdateAsync(organisationId, activity.Id, new ActivityInput(
                        activity.Title, activity.Description, activity.OwnerUserId, member[deputy].UserId, activity.EscalationUserId,
                        activity.Rrule, activity.DtStart, activity.TimeZone, activity.ExceptionDates, activity.GraceDays, activity.ReminderLeadDays,
                        activity.EvidenceRequired, [.. activity.Controls.Select(c => c.ControlId)], [.. activity.Frameworks.Select(f => f.FrameworkId)],
                        activity.State, activity.ScheduleSource, activity.TemplateKey), ct);
                }

                created.Add(activity);
            }
        }

        var byTemplate = created.ToDictionary(a => a.TemplateKey!, StringComparer.Ordinal);
        var past = await db.Occurrences.AsNoTracking()
            .Where(o => o.OrganisationId == organisationId && o.State == OccurrenceState.Open && o.DueDate < today)
            .Select(o => new { o.Id, o.ActivityId, o.DueDate, o.DueAt })
            .ToListAsync(ct);
        past = [.. past.OrderBy(o => o.DueAt)];
        db.ChangeTracker.Clear();

        // The privileged access review before last was never done: it is the one overdue past its grace period.
        var privileged = byTemplate["privileged-access-review"];
        var missed = past.Where(o => o.ActivityId == privileged.Id && today.DayNumber - o.DueDate.DayNumber > privileged.GraceDays + 7).MaxBy(o => o.DueDate);
        // One vulnerability scan about three months ago was skipped, with a reason and the manager's approval.
        var scan = byTemplate["vulnerability-scan"];
        var skipped = past.Where(o => o.ActivityId == scan.Id).MinBy(o => Math.Abs(today.DayNumber - 90 - o.DueDate.DayNumber));

        var manager = member[Manager];
        var done = 0;
        foreach (var o in past)
        {
            if (o.Id == missed?.Id)
            {
                continue;
            }

            var activity = created.Single(a => a.Id == o.ActivityId);
            if (o.Id == skipped?.Id)
            {
                var at = o.DueAt.AddDays(-3);
                db.ActorOverride = new AuditActor(manager.UserId, manager.Email!);
                await new OccurrenceService(db, new DemoClock(at), files)
                    .SkipAsync(organisationId, o.Id, new OccurrenceActor(manager.UserId, manager.Role), SkipReason, ct);
                db.ActorOverride = null;
                db.ChangeTracker.Clear();
                continue;
            }

            // Most are done the working day before they are due; every fifth a few days late.
            var late = done++ % 5 == 3;
            var completedAt = late ? o.DueAt.AddDays(4).AddHours(2) : o.DueAt.AddHours(-18);
            if (completedAt > now.AddHours(-1))
            {
                completedAt = o.DueAt.AddHours(-18);
            }

            var owner = members.Single(m => m.UserId == activity.OwnerUserId);
            var evidence = activity.EvidenceRequired.Select(requirement => new EvidenceFile(
                FileName(requirement, o.DueDate), "text/plain",
                new MemoryStream(Encoding.UTF8.GetBytes(EvidenceText(activity, requirement, o.DueDate, owner.Email!))), requirement)).ToList();
            // The audit trail shows the owner completing their occurrence, as it would have happened.
            db.ActorOverride = new AuditActor(owner.UserId, owner.Email!);
            await new OccurrenceService(db, new DemoClock(completedAt), files).CompleteAsync(
                organisationId, o.Id, new OccurrenceActor(owner.UserId, owner.Role),
                late ? "Done a few days late: the owner was on leave around the due date." : null,
                evidence, [], Evidence.EvidenceOptions.DefaultMaxBytes, ct);
            db.ActorOverride = null;
            db.ChangeTracker.Clear();
        }

        // As the daily check would when it next runs: the missed review's grace period has ended.
        await new NonconformityService(db, new NonconformityWorkflow(db, time)).RaiseForMissedAsync(now, ct);
    }

    private static string FileName(string requirement, DateOnly due)
    {
        var slug = new string([.. requirement.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return $"{slug}-{due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.txt";
    }

    private static string EvidenceText(Activity activity, string requirement, DateOnly due, string owner) =>
        $"""
        {requirement}
        Activity: {activity.Reference} {activity.Title}
        Occurrence due: {due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}
        Prepared by: {owner}

        Demo evidence generated by Perennial for the demo organisation. A real occurrence would hold
        the export, report or log named above.
        """;
}
