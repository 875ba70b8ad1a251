using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Evidence.Collectors;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Collectors;

public sealed class IndexModel(CurrentOrg org, CollectorService collectors) : PageModel
{
    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public CollectorService Service => collectors;
    public Paged<Collector> Collectors { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public string? Notice { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/collectors", Collectors.Page, Collectors.PageSize, Collectors.Total);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[DetailModel.Message] as string;
        Collectors = await collectors.ListAsync(org.Id, PageRequest.ForUi(PageNumber), ct);
    }
}
