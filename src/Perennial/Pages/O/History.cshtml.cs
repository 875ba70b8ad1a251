using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O;

/// <summary>The audit trail of one organisation, or of one record in it (the "history" view).</summary>
public sealed class HistoryModel(CurrentOrg org, AuditHistory history, ChangeDescriber describer) : PageModel
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
    public HistoryTableModel Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Guid? id = Guid.TryParse(EntityId, out var parsed) ? parsed : null;
        var type = EntityType is { Length: > 0 and <= 100 } ? EntityType : null;
        var entries = await history.ForOrganisationAsync(org.Id, type, id, PageRequest.ForUi(PageNumber), ct);
        var described = await describer.DescribeAsync(entries.Items, ct);
        Table = new HistoryTableModel(entries, $"/o/{org.Slug}/history", EntityType, EntityId, described.ToDictionary(d => d.Sequence), $"/o/{org.Slug}");
    }
}
