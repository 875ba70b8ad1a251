using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AccessReviews;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O.AccessReviews;

/// <summary>Revokes and changes decided in signed-off reviews, open until a later snapshot confirms them.</summary>
public sealed class ActionsModel(CurrentOrg org, AccessReviewService reviews) : PageModel
{
    [FromQuery(Name = "state")] public string? State { get; set; } = "open";

    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<AccessReviewAction> Items { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);
    public DateOnly Today { get; private set; }

    public PagerModel Pager => new($"/o/{org.Slug}/access-reviews/actions", Items.Page, Items.PageSize, Items.Total, $"&state={State}");

    public async Task OnGetAsync([FromServices] TimeProvider time, CancellationToken ct)
    {
        var state = State switch
        {
            "confirmed" => AccessActionState.Confirmed,
            "all" => (AccessActionState?)null,
            _ => AccessActionState.Open,
        };
        State = state switch { AccessActionState.Confirmed => "confirmed", null => "all", _ => "open" };
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Items = await reviews.ActionsAsync(org.Id, null, state, PageRequest.ForUi(PageNumber), ct);
    }
}
