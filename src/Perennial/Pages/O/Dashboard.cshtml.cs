using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.O;

public sealed class DashboardModel(CurrentOrg org, OrganisationService organisations, AuditHistory history) : PageModel
{
    public CurrentOrg Org => org;
    public int MemberCount { get; private set; }
    public IReadOnlyList<HistoryItem> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        MemberCount = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, 1), ct)).Total;
        Recent = (await history.ForOrganisationAsync(org.Id, null, null, new PageRequest(1, 5), ct)).Items;
    }
}
