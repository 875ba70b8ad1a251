using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Data;
using Perennial.Evidence.Collectors;
using Perennial.Organisations;
using Perennial.Pages.O.Activities;
using Perennial.Security;

namespace Perennial.Pages.O.Collectors;

public sealed class EditModel(CurrentOrg org, CollectorService collectors, OrganisationService organisations, PerennialDbContext db, TimeProvider time) : PageModel
{
    [BindProperty]
    public CollectorForm Form { get; set; } = new();

    public CurrentOrg Org => org;
    public Collector Collector { get; private set; } = null!;
    public CollectorFormView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Form = CollectorForm.From(Collector);
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
            await collectors.UpdateAsync(org.Id, id, Form.ToInput(isNew: false), ct);
            TempData[DetailModel.Message] = "Saved.";
            return Redirect($"/o/{org.Slug}/collectors/{id}");
        }
        catch (UseCaseException e) when (e.Kind != UseCaseErrorKind.NotFound)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError(FormErrors.Key(e.Field), e.Message);
        }

        return await ShowAsync(null, ct);
    }

    public async Task<IActionResult> OnPostPreviewAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? await ShowAsync(SchedulePreview.Of(Form, time.GetUtcNow(), ModelState), ct) : NotFound();

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Collector = await collectors.GetAsync(org.Id, id, ct);
            return true;
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return false;
        }
    }

    private async Task<IActionResult> ShowAsync(SchedulePreview? preview, CancellationToken ct)
    {
        View = new CollectorFormView(Form, await CollectorFormOptions.LoadAsync(org.Id, collectors, organisations, db, ct), false,
            Collector.SecretProtected is not null, preview?.Words, preview?.Runs);
        return Page();
    }
}
