using Microsoft.AspNetCore.Mvc;
using Perennial.Activities;
using Perennial.Security;

namespace Perennial.Findings;

/// <summary>What the activity page shows of an activity's findings.</summary>
public sealed record OpenFindingsPanel(string OrgSlug, OpenFindingsSummary Summary, DateOnly Today);

/// <summary>
/// The "Open findings" panel on a remediation activity's page: open findings by severity and the
/// overdue ones. Shown on the vulnerability-scan activity, and on any activity reports were pushed to.
/// </summary>
public sealed class OpenFindingsViewComponent(CurrentOrg org, FindingService findings) : ViewComponent
{
    public const int OverdueListed = 20;

    public async Task<IViewComponentResult> InvokeAsync(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var summary = await findings.OpenForActivityAsync(org.Id, activity.Id, activity.TemplateKey, OverdueListed, HttpContext.RequestAborted);
        if (summary.Open == 0 && activity.TemplateKey != FindingService.VulnerabilityScanTemplate)
        {
            return Content(string.Empty);
        }

        return View(new OpenFindingsPanel(org.Slug, summary, findings.Today));
    }
}
