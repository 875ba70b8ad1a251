using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence.Collectors;
using Perennial.Organisations;
using Perennial.Pages.O.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Collectors;

public sealed class NewModel(CurrentOrg org, CurrentUser user, CollectorService collectors, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [BindProperty]
    public CollectorForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public CollectorFormView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid? activity, CancellationToken ct)
    {
        Form.ActivityId = activity;
        Form.Cron = "0 2 * * *";
        Form.Kind = CommandCollector.KindName;
        return await ShowAsync(null, ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        try
        {
            var created = await collectors.CreateAsync(org.Id, user.RequireId(), Form.ToInput(isNew: true), ct);
            TempData[DetailModel.Message] = $"Collector '{created.Name}' created.";
            return Redirect($"/o/{org.Slug}/collectors/{created.Id}");
        }
        catch (UseCaseException e) when (e.Kind != UseCaseErrorKind.NotFound)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(FormErrors.Key(e.Field), e.Message);
        }

        return await ShowAsync(null, ct);
    }

    public Task<IActionResult> OnPostPreviewAsync(CancellationToken ct) => ShowAsync(SchedulePreview.Of(Form, time.GetUtcNow(), ModelState), ct);

    private async Task<IActionResult> ShowAsync(SchedulePreview? preview, CancellationToken ct)
    {
        View = new CollectorFormView(Form, await CollectorFormOptions.LoadAsync(org.Id, collectors, organisations, db, ct), true, false, preview?.Words, preview?.Runs);
        return Page();
    }
}

/// <summary>The schedule in words and its next runs, or the schedule's errors on the form.</summary>
public sealed record SchedulePreview(string? Words, IReadOnlyList<DateTimeOffset> Runs)
{
    public static SchedulePreview Of(CollectorForm form, DateTimeOffset now, Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(state);
        DateTime start = DateTime.MinValue;
        if (!string.IsNullOrWhiteSpace(form.DtStart) && !Perennial.Activities.ActivitySchedule.TryParseLocal(form.DtStart, out start))
        {
            state.AddModelError(FormErrors.Key("dtStart"), "The start is not a local date and time like 2026-03-01T02:00.");
            return new SchedulePreview(null, []);
        }

        if (start == DateTime.MinValue)
        {
            start = now.UtcDateTime.Date;
        }

        var rrule = string.IsNullOrWhiteSpace(form.Rrule) ? null : Perennial.Activities.ActivitySchedule.Normalise(form.Rrule);
        var schedule = new CollectorSchedule(rrule, string.IsNullOrWhiteSpace(form.Cron) ? null : form.Cron.Trim(), start, (form.TimeZone ?? "").Trim());
        var errors = schedule.Validate(now);
        foreach (var (field, message) in errors)
        {
            state.AddModelError(FormErrors.Key(field), message);
        }

        return errors.Count > 0 ? new SchedulePreview(null, []) : new SchedulePreview(schedule.Describe(), schedule.Upcoming(now, 5));
    }
}
