using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Pages.Shared;
using Perennial.Paging;

namespace Perennial.Pages.Admin;

/// <summary>The audit trail of installation-wide records: accounts and API tokens.</summary>
public sealed class HistoryModel(AuditHistory history) : PageModel
{
    public static readonly IReadOnlyList<string> EntityTypes = ["User", "ApiToken"];

    [BindProperty(SupportsGet = true)]
    public string? EntityType { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? EntityId { get; set; }

    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public HistoryTableModel Table { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Guid? id = Guid.TryParse(EntityId, out var parsed) ? parsed : null;
        var type = EntityType is { Length: > 0 and <= 100 } ? EntityType : null;
        var entries = await history.ForInstallationAsync(type, id, PageRequest.ForUi(PageNumber), ct);
        Table = new HistoryTableModel(entries, "/admin/history", EntityType, EntityId);
    }
}
