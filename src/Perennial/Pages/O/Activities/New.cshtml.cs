using System.Globalization;
using Ical.Net.Evaluation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Activities;
using Perennial.Common;
using Perennial.Data;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Activities;

public sealed class NewModel(CurrentOrg org, CurrentUser user, ActivityService activities, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [BindProperty]
    public ActivityForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public ActivityFormView View { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Form.StartDate = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var options = await ActivityFormOptions.LoadAsync(org.Id, organisations, db, ct);
        Form.OwnerUserId = options.People.Any(p => p.UserId == user.Id) ? user.Id : null;
        View = new ActivityFormView(Form, options, false, null, null);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        try
        {
            var activity = await activities.CreateAsync(org.Id, Form.ToInput(null), ct);
            TempData[DetailModel.Message] = $"{activity.Reference} created with its occurrences.";
            return Redirect($"/o/{org.Slug}/activities/{activity.Id}");
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

        return await ShowAsync(null, ct);
    }

    public Task<IActionResult> OnPostPreviewAsync(CancellationToken ct) => ShowAsync(ActivityPreviewResult.Of(Form, activities), ct);

    public IActionResult OnPostPreviewJson() => ActivityPreviewResult.Of(Form, activities).ToJson();

    private async Task<IActionResult> ShowAsync(ActivityPreviewResult? preview, CancellationToken ct)
    {
        preview?.AddErrorsTo(ModelState);
        View = new ActivityFormView(Form, await ActivityFormOptions.LoadAsync(org.Id, organisations, db, ct), false, preview?.Dates, preview?.Words);
        return Page();
    }
}
