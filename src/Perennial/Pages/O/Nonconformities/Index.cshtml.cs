using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Nonconformities;

public sealed class IndexModel(CurrentOrg org, NonconformityService nonconformities) : PageModel
{
    private const string Message = "nonconformity-message";

    [FromQuery(Name = "status")] public string? Status { get; set; } = "open";

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<NonconformityListItem> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public bool CanManage => org.Can(OrgRole.Manager);
    public string? Notice { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/nonconformities", Items.Page, Items.PageSize, Items.Total, $"&status={Status}");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        await LoadAsync(ct);
    }

    /// <summary>Closes or reopens one record (managers and admins; the page's write rule says so).</summary>
    public async Task<IActionResult> OnPostStatusAsync(Guid id, string? to, CancellationToken ct)
    {
        var target = to switch
        {
            "closed" => NonconformityStatus.Closed,
            "open" => NonconformityStatus.Open,
            _ => (NonconformityStatus?)null,
        };
        if (target is null)
        {
            ModelState.AddModelError(string.Empty, "Choose whether to close or reopen the nonconformity.");
            await LoadAsync(ct);
            return Page();
        }

        try
        {
            var nc = await nonconformities.SetStatusAsync(org.Id, id, target.Value, ct);
            TempData[Message] = target == NonconformityStatus.Closed ? $"{nc.Reference} closed." : $"{nc.Reference} reopened.";
        }
        catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
        {
            return NotFound();
        }

        return Redirect($"/o/{org.Slug}/nonconformities?status={Status}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        NonconformityStatus? filter = Status switch
        {
            "closed" => NonconformityStatus.Closed,
            "all" => null,
            _ => NonconformityStatus.Open,
        };
        Status = filter switch
        {
            NonconformityStatus.Closed => "closed",
            NonconformityStatus.Open => "open",
            _ => "all",
        };
        Items = await nonconformities.ListAsync(org.Id, filter, PageRequest.ForUi(PageNumber), ct);
    }

    public static string SourceLabel(NonconformitySource source) => source switch
    {
        NonconformitySource.MissedActivity => "Missed activity",
        NonconformitySource.Manual => "Raised by hand",
        _ => source.ToString(),
    };
}
