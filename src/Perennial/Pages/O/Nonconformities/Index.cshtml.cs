using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

public sealed class IndexModel(CurrentOrg org, CurrentUser user, NonconformityLog log, NonconformityWorkflow workflow) : PageModel
{
    private const string Message = "nonconformity-message";

    [FromQuery(Name = "status")] public string? Status { get; set; } = "open";

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<NonconformityLogItem> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public bool CanManage => org.Can(OrgRole.Manager);
    public bool CanReport => org.Can(OrgRole.Contributor);
    public string? Notice { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/nonconformities", Items.Page, Items.PageSize, Items.Total, $"&status={Status}");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        await LoadAsync(ct);
    }

    /// <summary>A manager closes one without an effective check, with a justification the log keeps (the page's write rule says managers).</summary>
    public async Task<IActionResult> OnPostCloseAsync(Guid id, string? justification, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            ModelState.AddModelError("justification", "Say why it is closed without an effective corrective action.");
            await LoadAsync(ct);
            return Page();
        }

        try
        {
            var nc = await workflow.CloseAsync(org.Id, id, new NonconformityActor(user.RequireId(), user.Email, org.Role), justification, ct);
            TempData[Message] = $"{nc.Reference} closed.";
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }
        catch (UseCaseException e) when (e.Kind is UseCaseErrorKind.Conflict or UseCaseErrorKind.Validation)
        {
            ModelState.AddModelError("justification", e.Message);
            await LoadAsync(ct);
            return Page();
        }

        return Redirect($"/o/{org.Slug}/nonconformities?status={Status}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var query = Status switch
        {
            "closed" => new NonconformityQuery(Status: NonconformityStatus.Closed),
            "all" => new NonconformityQuery(),
            _ => new NonconformityQuery(OpenOnly: true),
        };
        Status = Status is "closed" or "all" ? Status : "open";
        Items = await log.ListAsync(org.Id, query, PageRequest.ForUi(PageNumber), ct);
    }
}
