using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O;

/// <summary>The audit trail of one organisation, or of one record in it (the "history" view).</summary>
public sealed class HistoryModel(CurrentOrg org, AuditHistory history) : PageModel
{
    public static readonly IReadOnlyList<string> EntityTypes = ["Organisation", "Membership"];

    [BindProperty(SupportsGet = true)]
    public string? EntityType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? EntityId { get; set; }

    // From the query string only: the route value "page" is the Razor page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public CurrentOrg Org => org;
    public Paged<HistoryItem> Entries { get; private set; } = new([], 1, PageRequest.DefaultPageSize, 0);

    public PagerModel Pager => new($"/o/{org.Slug}/history", Entries.Page, Entries.PageSize, Entries.Total,
        $"&entityType={Uri.EscapeDataString(EntityType ?? "")}&entityId={Uri.EscapeDataString(EntityId ?? "")}");

    public async Task OnGetAsync(CancellationToken ct)
    {
        Guid? id = Guid.TryParse(EntityId, out var parsed) ? parsed : null;
        var type = EntityType is { Length: > 0 and <= 100 } ? EntityType : null;
        Entries = await history.ForOrganisationAsync(org.Id, type, id, new PageRequest(Math.Max(1, PageNumber), PageRequest.DefaultPageSize), ct);
    }
}
