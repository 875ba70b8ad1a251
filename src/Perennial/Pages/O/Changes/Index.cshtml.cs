using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Changes;
using Perennial.Common;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Changes;

public sealed class IndexModel(CurrentOrg org, CurrentUser user, ChangeService changes) : PageModel
{
    public CurrentOrg Org => org;

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "type")]
    public string? Type { get; set; }

    public Paged<ChangeListItem> Changes { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public ChangeForm Form { get; private set; } = new();
    public IReadOnlyList<AssetOption> Assets { get; private set; } = [];
    public IReadOnlyList<ControlOption> Controls { get; private set; } = [];

    public ChangeFormModel FormModel => new(Form, Assets, Controls, "new", null);

    public PagerModel Pager => new($"/o/{org.Slug}/changes", Changes.Page, Changes.PageSize, Changes.Total,
        (Status is null ? "" : $"&status={Uri.EscapeDataString(Status)}") + (Type is null ? "" : $"&type={Uri.EscapeDataString(Type)}"));

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(ChangeForm form, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        try
        {
            var change = await changes.CreateAsync(org.Id, form.ToInput(ChangeStatus.Proposed, user.Id), ChangeSource.Manual, null, null, ct);
            return Redirect($"/o/{org.Slug}/changes/{change.Id}");
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
        Status = ChangeNames.TryParseStatus(Status, out var status) ? status.ToName() : null;
        Type = ChangeNames.TryParseType(Type, out var type) ? type.ToName() : null;
        var query = new ChangeQuery(Status is null ? null : status, Type is null ? null : type);
        Changes = await changes.ListAsync(org.Id, query, PageRequest.ForUi(PageNumber), ct);
        Assets = await changes.AssetOptionsAsync(org.Id, ct);
        Controls = await changes.ControlOptionsAsync(org.Id, ct);
    }
}
