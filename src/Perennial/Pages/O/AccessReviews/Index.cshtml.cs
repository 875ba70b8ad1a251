using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AccessReviews;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.AccessReviews;

/// <summary>The organisation's access reviews, latest first, with their progress.</summary>
public sealed class IndexModel(CurrentOrg org, AccessReviewService reviews) : PageModel
{
    [FromQuery(Name = "state")] public string? State { get; set; } = "all";

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<AccessReviewSummary> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public int OpenActions { get; private set; }
    public bool CanStart => org.Can(OrgRole.Contributor);

    public PagerModel Pager => new($"/o/{org.Slug}/access-reviews", Items.Page, Items.PageSize, Items.Total, $"&state={State}");

    public async Task OnGetAsync(CancellationToken ct)
    {
        var state = State switch
        {
            "open" => AccessReviewState.Open,
            "signed-off" => AccessReviewState.SignedOff,
            _ => (AccessReviewState?)null,
        };
        State = state is null ? "all" : State;
        Items = await reviews.ListAsync(org.Id, state, null, PageRequest.ForUi(PageNumber), ct);
        OpenActions = (await reviews.ActionsAsync(org.Id, null, AccessActionState.Open, new PageRequest(1, 1), ct)).Total;
    }
}
