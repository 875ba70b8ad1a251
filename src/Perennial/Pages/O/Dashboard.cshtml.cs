using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.AuditTrail;
using Perennial.Certification;
using Perennial.Dashboard;
using Perennial.Organisations;
using Perennial.Pages.Shared;
using Perennial.Paging;
using Perennial.Risks;
using Perennial.Scope;
using Perennial.Security;
using Perennial.Soa;

namespace Perennial.Pages.O;

public sealed class DashboardModel(
    CurrentOrg org, CurrentUser user, OrganisationService organisations, AuditHistory history, ChangeDescriber describer, CycleService cycles,
    ScopeService scopes, SoaService soa, RiskService risks, AgendaService agendas, Perennial.Readiness.ReadinessSnapshots readiness, TimeProvider time) : PageModel
{
    /// <summary>How many items of a group the organisation's list shows before linking to the full list.</summary>
    public const int OrganisationItemsPerGroup = 8;
    public const int RecentChanges = 8;

    public int NeedsAcceptance { get; private set; }
    public Agenda Agenda { get; private set; } = new(default, []);
    public IReadOnlyList<AgendaItem> Mine { get; private set; } = [];

    public CurrentOrg Org => org;
    public CycleTimelineModel? Timeline { get; private set; }
    public int OpenFindings { get; private set; }
    public int OverdueFindings { get; private set; }
    public int? ScopeVersion { get; private set; }
    public SoaVersionSummary? SoaVersion { get; private set; }
    public int MemberCount { get; private set; }

    /// <summary>The latest daily readiness score, when one has been taken.</summary>
    public Perennial.Readiness.ReadinessSnapshot? Readiness { get; private set; }
    public IReadOnlyList<DescribedChange> Recent { get; private set; } = [];

    /// <summary>Where the whole list of a group lives.</summary>
    public static (string Path, string Label) FullList(AgendaGroup group) => group switch
    {
        AgendaGroup.Overdue or AgendaGroup.DueSoon => ("calendar", "the calendar"),
        AgendaGroup.Evidence => ("evidence", "the evidence"),
        AgendaGroup.Nonconformities => ("nonconformities", "all nonconformities"),
        AgendaGroup.ManagementReview => ("management-reviews", "the management reviews"),
        _ => ("findings/deadlines", "the remediation deadlines"),
    };

    public static string Heading(AgendaGroup group) => group switch
    {
        AgendaGroup.Overdue => "Overdue",
        AgendaGroup.DueSoon => "Due soon",
        AgendaGroup.Evidence => "Evidence missing or stale",
        AgendaGroup.Nonconformities => "Open nonconformities",
        AgendaGroup.ManagementReview => "Management review actions",
        _ => "Findings past their deadline",
    };

    public async Task OnGetAsync(CancellationToken ct)
    {
        MemberCount = (await organisations.ListMembersAsync(org.Id, new PageRequest(1, 1), ct)).Total;
        // Enough entries that a bulk change (a year of occurrences scheduled at once) is one line among several.
        var latest = await history.ForOrganisationAsync(org.Id, null, null, new PageRequest(1, 200), ct);
        Recent = await describer.DescribeAsync(latest.Items, ct, collapse: true, take: RecentChanges);
        Agenda = await agendas.ForOrganisationAsync(org.Id, ct);
        Readiness = await readiness.LatestAsync(org.Id, ct);
        Mine = Agenda.For(user.RequireId());
        if (await cycles.GetCurrentAsync(org.Id, ct) is { } cycle)
        {
            var status = cycles.Status(cycle);
            Timeline = new CycleTimelineModel(cycle, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), status.NextAudit, status.DaysToNextAudit);
            OpenFindings = status.OpenFindings.Count;
            OverdueFindings = status.OverdueFindings.Count;
        }

        ScopeVersion = (await scopes.GetCurrentAsync(org.Id, ct))?.Number;
        SoaVersion = await soa.LatestPublishedAsync(org.Id, ct);
        NeedsAcceptance = (await risks.ListAsync(org.Id, new RiskQuery(NeedsAcceptanceOnly: true), new PageRequest(1, 1), ct)).Total;
    }
}
