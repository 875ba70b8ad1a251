using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Security;

namespace Perennial.Pages.O.Activities;

/// <summary>A linked control as the activity page shows it, with where its own page is.</summary>
public sealed record LinkedControl(string FrameworkKey, string FrameworkName, string Identifier, string Title);

public sealed class DetailModel(
    CurrentOrg org, ActivityService activities, OccurrenceService occurrences, PerennialDbContext db, TimeProvider time, Perennial.Evidence.EvidenceTimeline timeline) : PageModel
{
    /// <summary>The TempData key for the notice shown after a change.</summary>
    public const string Message = "activity-message";

    /// <summary>How far back the page lists past occurrences.</summary>
    public const int PastMonths = 24;

    /// <summary>How far ahead the page lists coming occurrences.</summary>
    public const int FutureMonths = 12;

    public CurrentOrg Org => org;
    public Activity Activity { get; private set; } = null!;
    public IReadOnlyList<LinkedControl> Controls { get; private set; } = [];
    public IReadOnlyList<string> Frameworks { get; private set; } = [];
    public IReadOnlyList<OccurrenceRow> Past { get; private set; } = [];
    public IReadOnlyList<OccurrenceRow> Coming { get; private set; } = [];
    public DateOnly Today { get; private set; }

    /// <summary>The newest current evidence for the activity, against its freshness requirement.</summary>
    public Perennial.Evidence.LatestEvidence Latest { get; private set; } = null!;
    public string? Notice { get; private set; }

    public string Frequency => Activity.ScheduleSource == ScheduleSource.CertificationCycle
        ? "On the external audit dates of the certification cycle"
        : ScheduleWords.Describe(Activity.Rrule, Activity.StartDate);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Notice = TempData[Message] as string;
        return Page();
    }

    /// <summary>Pauses, resumes or retires the activity in one click.</summary>
    public async Task<IActionResult> OnPostStateAsync(Guid id, string? state, CancellationToken ct)
    {
        try
        {
            var target = ActivityNames.ParseState(state ?? "", "state");
            await activities.SetStateAsync(org.Id, id, target, ct);
            TempData[Message] = target switch
            {
                ActivityState.Paused => "Paused: no new occurrences until it is resumed.",
                ActivityState.Retired => "Retired: it has no future occurrences.",
                _ => "Active again: its coming occurrences are back on the calendar.",
            };
            return Redirect($"/o/{org.Slug}/activities/{id}");
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(string.Empty, e.Message);
        }

        return await LoadAsync(id, ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Activity = await activities.GetAsync(org.Id, id, ct);
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }

        var controlIds = Activity.Controls.Select(c => c.ControlId).ToList();
        Controls = await db.Controls.AsNoTracking()
            .Where(c => c.OrganisationId == org.Id && controlIds.Contains(c.Id))
            .OrderBy(c => c.Framework!.Name).ThenBy(c => c.SortOrder)
            .Select(c => new LinkedControl(c.Framework!.Key, c.Framework.Name, c.Identifier, c.LicensedTitle ?? c.Title))
            .ToListAsync(ct);
        var frameworkIds = Activity.Frameworks.Select(f => f.FrameworkId).ToList();
        Frameworks = await db.Frameworks.AsNoTracking()
            .Where(f => f.OrganisationId == org.Id && frameworkIds.Contains(f.Id))
            .OrderBy(f => f.Name).Select(f => f.Name).ToListAsync(ct);

        Today = DateOnly.FromDateTime(ActivitySchedule.LocalNow(time.GetUtcNow(), Activity.TimeZone));
        Latest = await timeline.LatestForActivityAsync(org.Id, id, ct);
        var rows = await occurrences.ListAsync(org.Id,
            new OccurrenceQuery(Today.AddMonths(-PastMonths), Today.AddMonths(FutureMonths), ActivityId: id, IncludeInactive: true), ct);

        // Open occurrences whose date has passed belong with the past: they are what is late.
        Past = [.. rows.Where(r => DateOnly.FromDateTime(r.Due) < Today).OrderByDescending(r => r.DueAt)];
        Coming = [.. rows.Where(r => DateOnly.FromDateTime(r.Due) >= Today)];
        return true;
    }
}
