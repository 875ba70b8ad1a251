using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Perennial.Common;
using Perennial.Findings;
using Perennial.Organisations;
using Perennial.Security;

namespace Perennial.Pages.O.Findings;

public sealed class DeadlinesModel(CurrentOrg org, FindingService findings) : PageModel
{
    private const string Message = "finding-deadlines-message";

    [BindProperty] public int? Critical { get; set; }
    [BindProperty] public int? High { get; set; }
    [BindProperty] public int? Medium { get; set; }
    [BindProperty] public int? Low { get; set; }

    public CurrentOrg Org => org;
    public bool CanManage => org.Can(OrgRole.Manager);
    public string? Notice { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Notice = TempData[Message] as string;
        var d = await findings.GetDeadlinesAsync(org.Id, ct);
        (Critical, High, Medium, Low) = (d.CriticalDays, d.HighDays, d.MediumDays, d.LowDays);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Critical is null || High is null || Medium is null || Low is null)
        {
            ModelState.AddModelError(string.Empty, $"Give every deadline as a whole number of days between 1 and {FindingDeadlines.MaxDays}.");
            return Page();
        }

        try
        {
            await findings.SetDeadlinesAsync(org.Id, new FindingDeadlines(Critical.Value, High.Value, Medium.Value, Low.Value), ct);
        }
        catch (UseCaseException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
            return Page();
        }

        TempData[Message] = "Deadlines saved: every finding's due date now follows them.";
        return Redirect($"/o/{org.Slug}/findings/deadlines");
    }
}
