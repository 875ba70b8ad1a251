using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Frameworks;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.Frameworks;

public sealed class IndexModel(CurrentOrg org, FrameworkService frameworks) : PageModel
{
    public string Slug => org.Slug;
    public bool CanEdit => org.Can(OrgRole.Manager);
    public FrameworkSummary Framework { get; private set; } = null!;
    public Paged<ControlSummary> Controls { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);

    [FromQuery(Name = "search")]
    public string? Search { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public PagerModel Pager => new($"/o/{org.Slug}/frameworks/{Framework.Key}", Controls.Page, Controls.PageSize, Controls.Total,
        $"&search={Uri.EscapeDataString(Search ?? "")}");

    public async Task<IActionResult> OnGetAsync(string key, CancellationToken ct)
    {
        var framework = await frameworks.FindAsync(org.Id, key, ct);
        if (framework is null)
        {
            return NotFound();
        }

        Framework = framework;
        var search = Search is { Length: > 100 } ? Search[..100] : Search;
        Controls = await frameworks.ListControlsAsync(org.Id, framework.Id, search, PageRequest.ForUi(PageNumber), ct);
        return Page();
    }
}
