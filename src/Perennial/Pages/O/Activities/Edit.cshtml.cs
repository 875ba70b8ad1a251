using Ical.Net.Evaluation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Activities;

public sealed class EditModel(CurrentOrg org, ActivityService activities, OrganisationService organisations, PerennialDbContext db) : PageModel
{
    [BindProperty]
    public ActivityForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public Activity Activity { get; private set; } = null!;
    public ActivityFormView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Form = ActivityForm.From(Activity);
        return await ShowAsync(null, ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        try
        {
            await activities.UpdateAsync(org.Id, id, Form.ToInput(Activity), ct);
            TempData[DetailModel.Message] = "Saved.";
            return Redirect($"/o/{org.Slug}/activities/{id}");
        }
        catch (UseCaseException e) when (e.Kind != UseCaseErrorKind.NotFound)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(FormErrors.Key(e.Field), e.Message);
        }
        catch (EvaluationException)
        {
            // Ical.Net searched to the end of time for a date this rule never produces.
            db.ChangeTracker.Clear();
            ModelState.AddModelError(FormErrors.Key("rrule"), ActivityPreviewResult.NoDates);
        }

        await LoadAsync(id, ct);
        return await ShowAsync(null, ct);
    }

    public async Task<IActionResult> OnPostPreviewAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        return await ShowAsync(ActivityPreviewResult.Of(Form, activities), ct);
    }

    public IActionResult OnPostPreviewJson() => ActivityPreviewResult.Of(Form, activities).ToJson();

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Activity = await activities.GetAsync(org.Id, id, ct);
            return true;
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }
    }

    private async Task<IActionResult> ShowAsync(ActivityPreviewResult? preview, CancellationToken ct)
    {
        preview?.AddErrorsTo(ModelState);
        var cycle = Activity.ScheduleSource == ScheduleSource.CertificationCycle;
        View = new ActivityFormView(Form, await ActivityFormOptions.LoadAsync(org.Id, organisations, db, ct), cycle, preview?.Dates, preview?.Words);
        return Page();
    }
}
