using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Certification;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Scope;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O;

public sealed class DashboardModel(CurrentOrg org, OrganisationService organisations, AuditHistory history, CycleService cycles, ScopeService scopes, SoaService soa, RiskService risks, TimeProvider time) : PageModel
{
    public int OverdueReviews { get; private set; }
    public IReadOnlyList<RiskListItem> Overdue { get; private set; } = [];
    public int NeedsAcceptance { get; private set; }

    public CurrentOrg Org => org;
    public CycleTimelineModel? Timeline { get; private set; }
    public int OpenFindings { get; private set; }
    public int OverdueFindings { get; private set; }
    public int? ScopeVersion { get; private set; }
    public SoaVersionSummary? SoaVersion { get; private set; }
    public int MemberCount { get; private set; }
    public IReadOnlyList<HistoryItem> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        MemberCount = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, 1), ct)).Total;
        Recent = (await history.ForOrganisationAsync(org.Id, null, null, new PageRequest(1, 5), ct)).Items;
        if (await cycles.GetCurrentAsync(org.Id, ct) is { } cycle)
        {
            var status = cycles.Status(cycle);
            Timeline = new CycleTimelineModel(cycle, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), status.NextAudit, status.DaysToNextAudit);
            OpenFindings = status.OpenFindings.Count;
            OverdueFindings = status.OverdueFindings.Count;
        }

        ScopeVersion = (await scopes.GetCurrentAsync(org.Id, ct))?.Number;
        SoaVersion = await soa.LatestPublishedAsync(org.Id, ct);
        OverdueReviews = await risks.CountOverdueReviewsAsync(org.Id, ct);
        Overdue = OverdueReviews == 0 ? [] : await risks.OverdueReviewsAsync(org.Id, 5, ct);
        NeedsAcceptance = (await risks.ListAsync(org.Id, new RiskQuery(NeedsAcceptanceOnly: true), new PageRequest(1, 1), ct)).Total;
    }
}
