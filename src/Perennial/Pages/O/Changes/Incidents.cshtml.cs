using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Changes;
using Perennial.Common;
using Perennial.Incidents;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Changes;

public sealed class IncidentForm
{
    public DateOnly? OccurredOn { get; set; }
    // Nullable, so that a blank field is the use case's to refuse, with its own message.
    public string? Title { get; set; } = "";
    public string? Severity { get; set; } = "medium";
    public List<Guid> AssetIds { get; set; } = [];
}

public sealed class IncidentsModel(CurrentOrg org, IncidentService incidents, ChangeService changes, TimeProvider time) : PageModel
{
    private const string Message = "incident-message";

    public CurrentOrg Org => org;

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public Paged<IncidentListItem> Incidents { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public IReadOnlyList<AssetOption> Assets { get; private set; } = [];
    public IncidentForm Form { get; private set; } = new();
    public string? Notice { get; private set; }
    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
    public PagerModel Pager => new($"/o/{org.Slug}/changes/incidents", Incidents.Page, Incidents.PageSize, Incidents.Total);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        Form.OccurredOn = Today;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(IncidentForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        try
        {
            var severity = ChangeNames.TryParseSeverity(form.Severity, out var s) ? s : throw UseCaseException.Invalid("severity", "Choose the severity.");
            var date = form.OccurredOn ?? throw UseCaseException.Invalid("date", "Say when the incident happened.");
            var recorded = await incidents.RecordAsync(org.Id, new IncidentInput(date, form.Title ?? "", severity, form.AssetIds), ct);
            TempData[Message] = recorded.ReviewsBroughtForward == 0
                ? $"{recorded.Incident.Reference} recorded. No open risk is linked to its assets."
                : $"{recorded.Incident.Reference} recorded. The reviews of {recorded.ReviewsBroughtForward} risk(s) on its assets are now due.";
            return Redirect($"/o/{org.Slug}/changes/incidents");
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            Form = form;
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Incidents = await incidents.ListAsync(org.Id, PageRequest.ForUi(PageNumber), ct);
        Assets = await changes.AssetOptionsAsync(org.Id, ct);
    }
}
