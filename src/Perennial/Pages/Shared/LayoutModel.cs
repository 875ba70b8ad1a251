using Perennial.Organisations;
using Perennial.Paging;
using Perennial.Security;

namespace Perennial.Pages.Shared;

/// <summary>What the layout needs: the signed-in person, their organisations, the current one.</summary>
public sealed class LayoutData(CurrentUser user, CurrentOrg org, OrganisationService organisations)
{
    public CurrentUser User => user;
    public CurrentOrg Org => org;

    public async Task<IReadOnlyList<OrganisationSummary>> MyOrganisationsAsync(CancellationToken ct)
    {
        if (!user.IsAuthenticated)
        {
            return [];
        }

        var page = await organisations.ListForUserAsync(user.RequireId(), new PageRequest(1, PageRequest.MaxPageSize), ct);
        return page.Items;
    }

    public static readonly IReadOnlyList<(string Key, string Label)> Sections =
    [
        ("", "Dashboard"),
        ("readiness", "Audit readiness"),
        ("auditor", "Auditor's workspace"),
        ("scope", "Scope"),
        ("context", "Context"),
        ("calendar", "Calendar"),
        ("feeds", "Calendar feeds"),
        ("activities", "Activities"),
        ("evidence", "Evidence"),
        ("collectors", "Collectors"),
        ("access-reviews", "Access reviews"),
        ("findings", "Findings"),
        ("risks", "Risks"),
        ("controls", "Controls & SoA"),
        ("audits", "Audits"),
        ("internal-audits", "Internal audits"),
        ("nonconformities", "Nonconformities"),
        ("improvements", "Improvements"),
        ("measures", "Objectives & measures"),
        ("management-reviews", "Management reviews"),
        ("changes", "Changes"),
        ("settings", "Settings"),
    ];
}
